using Bunit;
using Microsoft.AspNetCore.Components;
using NodeNomad.Console.Components.Layout;
using NodeNomad.Console.Fleet;

namespace NodeNomad.Console.Tests.Components;

public sealed class MainLayoutTests
{
    [Fact]
    public async Task the_layout_links_every_page_and_offers_sign_out()
    {
        await using var context = ConsoleComponents.Context(new FleetState(new ManualClock()));
        RenderFragment body = builder => builder.AddContent(0, "the page");

        var cut = context.Render<MainLayout>(p => p.Add(l => l.Body, body));

        cut.FindAll("a").Select(a => a.GetAttribute("href")).ShouldBe(["/", "/nodes", "/shards", "/migrations", "/rebalancer", "/keys", "/api-keys", "/events"], ignoreOrder: true);
        cut.Find("form[action='/logout'] button").TextContent.ShouldContain("Sign out");
        cut.Markup.ShouldContain("the page");
    }
}
