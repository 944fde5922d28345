using Bunit;
using Microsoft.AspNetCore.Components;
using NodeNomad.Console.Components.Layout;
using NodeNomad.Console.Fleet;

namespace NodeNomad.Console.Tests.Components;

public sealed class SignInLayoutTests
{
    [Fact]
    public async Task the_sign_in_layout_shows_the_page_without_navigation()
    {
        await using var context = ConsoleComponents.Context(new FleetState(new ManualClock()));
        RenderFragment body = builder => builder.AddContent(0, "the sign-in form");

        var cut = context.Render<SignInLayout>(p => p.Add(l => l.Body, body));

        cut.Markup.ShouldContain("the sign-in form");
        cut.FindAll("a").ShouldBeEmpty();
    }
}
