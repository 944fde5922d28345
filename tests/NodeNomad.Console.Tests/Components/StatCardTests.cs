using Bunit;
using NodeNomad.Console.Components.Shared;
using NodeNomad.Console.Fleet;

namespace NodeNomad.Console.Tests.Components;

public sealed class StatCardTests
{
    [Fact]
    public async Task a_card_shows_its_title_figure_and_detail()
    {
        await using var context = ConsoleComponents.Context(new FleetState(new ManualClock()));

        var cut = context.Render<StatCard>(p => p
            .Add(c => c.Title, "Nodes up")
            .Add(c => c.Value, "3")
            .Add(c => c.Detail, "0 down")
            .Add(c => c.TestId, "card"));

        cut.ById("card").TextContent.ShouldContain("Nodes up");
        cut.ById("stat-value").TextContent.Trim().ShouldBe("3");
        cut.ById("card").TextContent.ShouldContain("0 down");
    }
}
