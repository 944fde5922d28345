using Bunit;
using NodeNomad.Console.Components.Pages;
using NodeNomad.Console.Fleet;

namespace NodeNomad.Console.Tests.Pages;

public sealed class ErrorPageTests
{
    [Fact]
    public async Task the_error_page_points_to_the_log()
    {
        await using var context = ConsoleComponents.Context(new FleetState(new ManualClock()));

        var cut = context.Render<Error>();

        cut.Markup.ShouldContain("The console's log has the details.");
    }
}
