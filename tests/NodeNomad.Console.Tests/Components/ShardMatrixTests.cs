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
}
