using Bunit;
using NodeNomad.Console.Components.Pages;
using NodeNomad.Contracts.Fleet;

namespace NodeNomad.Console.Tests.Pages;

public sealed class ShardDetailPageTests
{
    [Fact]
    public async Task the_detail_shows_the_range_the_replicas_with_their_indexes_and_lag_and_the_epochs()
    {
        var clock = new ManualClock();
        var fleet = Fleets.ThreeNodes(clock);
        var at = clock.GetUtcNow();
        fleet.ReportStatus(Fleets.Report("node-1", at, role: "leader") with { Groups = [new GroupStatusReport(0, "leader", 3, "node-1", 130, 130)] });
        fleet.ReportStatus(Fleets.Report("node-3", at) with { Groups = [new GroupStatusReport(0, "follower", 3, "node-1", 125, 118)] });
        clock.Advance(TimeSpan.FromSeconds(1));
        fleet.ApplyShards([Fleets.Shard(0, "node-1", "node-2", "node-3") with { Epoch = 9 }]);
        await using var context = ConsoleComponents.Context(fleet);

        var cut = context.Render<ShardDetail>(p => p.Add(c => c.Id, 0));

        cut.ById("shard-range").TextContent.ShouldContain("0000000000000000");
        cut.ById("shard-range").TextContent.ShouldContain("ffffffffffffffff");
        cut.ById("shard-leader").TextContent.ShouldBe("node-1");
        var node3 = cut.Find("[data-testid='replica-row'][data-node='node-3']");
        node3.TextContent.ShouldContain("118");
        node3.QuerySelector("[data-testid='replica-lag']")!.TextContent.ShouldBe("12 entries");
        cut.Find("[data-testid='replica-row'][data-node='node-1'] [data-testid='replica-lag']").TextContent.ShouldBe("0 entries");
        cut.FindAll("[data-testid='epoch-row']").Select(r => r.Children[0].TextContent).ShouldBe(["9", "7"]);
        cut.ById("shard-load").QuerySelector("svg").ShouldNotBeNull();
        cut.ById("shard-load").QuerySelector("svg text.mud-charts-yaxis")!.TextContent.Trim().ShouldBe("ops/s");
        cut.ById("shard-load").QuerySelector("svg text.mud-charts-xaxis")!.TextContent.Trim().ShouldBe("time (UTC)");
    }

    [Fact]
    public async Task a_replica_on_a_down_node_is_unavailable()
    {
        var clock = new ManualClock();
        var fleet = Fleets.ThreeNodes(clock);
        clock.Advance(TimeSpan.FromSeconds(5));
        fleet.ReportStatus(Fleets.Report("node-1", clock.GetUtcNow(), role: "leader"));
        fleet.ReportStatus(Fleets.Report("node-2", clock.GetUtcNow()));
        fleet.Tick();
        await using var context = ConsoleComponents.Context(fleet);

        var cut = context.Render<ShardDetail>(p => p.Add(c => c.Id, 0));

        cut.Find("[data-testid='replica-row'][data-node='node-3']").GetAttribute("data-available").ShouldBe("false");
        cut.ById("shard-health").TextContent.ShouldBe("under-replicated");
    }

    [Fact]
    public async Task an_unknown_shard_is_said_to_be_unknown()
    {
        await using var context = ConsoleComponents.Context(Fleets.ThreeNodes(new ManualClock()));

        var cut = context.Render<ShardDetail>(p => p.Add(c => c.Id, 42));

        cut.ById("shard-unknown").TextContent.ShouldContain("No shard 42 is known");
    }

    [Fact]
    public async Task a_moving_shard_names_its_migration()
    {
        var fleet = Fleets.ThreeNodes(new ManualClock());
        fleet.ApplyShards([Fleets.Shard(0, "node-1", "node-2", "node-3") with { MigrationId = "m-42" }]);
        await using var context = ConsoleComponents.Context(fleet);

        var cut = context.Render<ShardDetail>(p => p.Add(c => c.Id, 0));

        cut.ById("shard-migration").TextContent.ShouldContain("m-42");
    }
}
