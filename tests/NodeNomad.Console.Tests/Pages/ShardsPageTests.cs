using Bunit;
using NodeNomad.Console.Components.Pages;

namespace NodeNomad.Console.Tests.Pages;

public sealed class ShardsPageTests
{
    [Fact]
    public async Task the_page_shows_the_matrix_with_epoch_keys_and_load()
    {
        await using var context = ConsoleComponents.Context(Fleets.ThreeNodes(new ManualClock()));

        var cut = context.Render<Shards>();

        var row = cut.Find("[data-testid='shard-row'][data-shard='0']");
        row.QuerySelectorAll("[data-testid='matrix-cell']").Select(c => c.TextContent.Trim()).ShouldBe(["L", "F", "F"]);
        row.TextContent.ShouldContain("7");
        row.TextContent.ShouldContain("42");
        row.TextContent.ShouldContain("4 KiB");
        row.TextContent.ShouldContain("12/s");
        cut.Markup.ShouldContain("1 healthy");
    }

    [Fact]
    public async Task a_new_leader_moves_the_mark_live()
    {
        var clock = new ManualClock();
        var fleet = Fleets.ThreeNodes(clock);
        await using var context = ConsoleComponents.Context(fleet);
        var cut = context.Render<Shards>();

        fleet.ApplyShards([Fleets.Shard(0, "node-3", "node-1", "node-2")]);

        cut.WaitForAssertion(() =>
            cut.Find("[data-testid='matrix-cell'][data-node='node-3']").TextContent.Trim().ShouldBe("L"));
    }
}
