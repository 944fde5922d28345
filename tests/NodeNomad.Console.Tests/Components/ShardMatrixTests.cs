using Bunit;
using NodeNomad.Console.Components.Shared;
using NodeNomad.Console.Fleet;
using NodeNomad.Contracts;

namespace NodeNomad.Console.Tests.Components;

public sealed class ShardMatrixTests
{
    [Fact]
    public async Task each_cell_marks_the_nodes_role_in_the_shard()
    {
        var clock = new ManualClock();
        var fleet = Fleets.ThreeNodes(clock);
        await using var context = ConsoleComponents.Context(fleet);
        var shard = Fleets.Shard(4, "node-2", "node-1") with
        {
            Replicas = [new ReplicaInfo("node-2", "leader"), new ReplicaInfo("node-1", "follower"), new ReplicaInfo("node-3", "learner")],
        };
        fleet.ApplyShards([shard]);

        var cut = context.Render<ShardMatrix>(p => p.Add(c => c.Shards, fleet.Current.Shards).Add(c => c.Nodes, fleet.Current.Nodes));

        var cells = cut.FindAll("[data-shard='4'] [data-testid='matrix-cell']");
        cells.Select(c => (c.GetAttribute("data-node"), c.TextContent.Trim()))
            .ShouldBe([("node-1", "F"), ("node-2", "L"), ("node-3", "Ln")]);
        cut.Text("[data-shard='4'] [data-testid='shard-health']").ShouldBe("healthy");
        cut.FindAll("[data-testid='matrix-node']").Count.ShouldBe(3);
    }

    [Fact]
    public async Task a_shard_with_a_replica_on_a_down_node_is_under_replicated()
    {
        var clock = new ManualClock();
        var fleet = Fleets.ThreeNodes(clock);
        clock.Advance(TimeSpan.FromSeconds(4));
        fleet.ReportStatus(Fleets.Report("node-1", clock.GetUtcNow(), role: "leader"));
        fleet.ReportStatus(Fleets.Report("node-2", clock.GetUtcNow()));
        fleet.Tick();
        await using var context = ConsoleComponents.Context(fleet);

        var cut = context.Render<ShardMatrix>(p => p.Add(c => c.Shards, fleet.Current.Shards).Add(c => c.Nodes, fleet.Current.Nodes));

        cut.Text("[data-shard='0'] [data-testid='shard-health']").ShouldBe("under-replicated");
    }

    [Fact]
    public async Task no_shard_map_says_the_cluster_has_not_answered()
    {
        await using var context = ConsoleComponents.Context(new FleetState(new ManualClock()));

        var cut = context.Render<ShardMatrix>(p => p.Add(c => c.Shards, []).Add(c => c.Nodes, []));

        cut.ById("shard-matrix").TextContent.ShouldContain("the cluster has not answered");
    }

    [Fact]
    public async Task a_down_nodes_replicas_show_as_unavailable()
    {
        var clock = new ManualClock();
        var fleet = Fleets.ThreeNodes(clock);
        clock.Advance(TimeSpan.FromSeconds(4));
        fleet.ReportStatus(Fleets.Report("node-1", clock.GetUtcNow(), role: "leader"));
        fleet.ReportStatus(Fleets.Report("node-2", clock.GetUtcNow()));
        fleet.Tick();
        await using var context = ConsoleComponents.Context(fleet);

        var cut = context.Render<ShardMatrix>(p => p.Add(c => c.Shards, fleet.Current.Shards).Add(c => c.Nodes, fleet.Current.Nodes));

        var cells = cut.FindAll("[data-shard='0'] [data-testid='matrix-cell']").ToDictionary(c => c.GetAttribute("data-node")!);
        cells["node-3"].GetAttribute("data-available").ShouldBe("false");
        cells["node-3"].TextContent.ShouldContain("✕");
        cells["node-3"].QuerySelector("[title]")!.GetAttribute("title")!.ShouldContain("unavailable");
        cells["node-2"].GetAttribute("data-available").ShouldBe("true");
    }

    [Fact]
    public async Task each_row_shows_the_shards_key_range_and_links_to_its_detail()
    {
        var fleet = Fleets.ThreeNodes(new ManualClock());
        fleet.ApplyShards([Fleets.Shard(0, "node-1", "node-2") with { RangeEnd = "7fffffffffffffff" }, Fleets.Shard(1, "node-2", "node-1") with { RangeStart = "8000000000000000" }]);
        await using var context = ConsoleComponents.Context(fleet);

        var cut = context.Render<ShardMatrix>(p => p.Add(c => c.Shards, fleet.Current.Shards).Add(c => c.Nodes, fleet.Current.Nodes));

        cut.Text("[data-shard='0'] [data-testid='range-start']").ShouldBe("0000000000000000");
        cut.Text("[data-shard='0'] [data-testid='range-end']").ShouldBe("7fffffffffffffff");
        cut.Text("[data-shard='1'] [data-testid='range-start']").ShouldBe("8000000000000000");
        cut.Find("[data-shard='1'] [data-testid='shard-link']").GetAttribute("href").ShouldBe("/shards/1");
    }

    [Fact]
    public async Task clicking_a_column_sorts_by_it_and_again_turns_the_order_round()
    {
        var fleet = Fleets.ThreeNodes(new ManualClock());
        fleet.ApplyShards([Fleets.Shard(0, "node-1") with { Keys = 5 }, Fleets.Shard(1, "node-1") with { Keys = 50 }, Fleets.Shard(2, "node-1") with { Keys = 1 }]);
        await using var context = ConsoleComponents.Context(fleet);
        var cut = context.Render<ShardMatrix>(p => p.Add(c => c.Shards, fleet.Current.Shards).Add(c => c.Nodes, fleet.Current.Nodes));
        string[] Order() => [.. cut.FindAll("[data-testid='shard-row']").Select(r => r.GetAttribute("data-shard")!)];

        cut.ById("sort-keys").Click();
        Order().ShouldBe(["2", "0", "1"]);

        cut.ById("sort-keys").Click();
        Order().ShouldBe(["1", "0", "2"]);
        cut.ById("sort-keys").GetAttribute("data-sorted").ShouldBe("descending");
    }
}
