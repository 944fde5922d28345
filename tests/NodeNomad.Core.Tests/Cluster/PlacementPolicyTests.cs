using NodeNomad.Core.Cluster;

namespace NodeNomad.Core.Tests.Cluster;

/// <summary>The placement policy: which replica moves it asks for, with which reason, for a map and the nodes' silences.</summary>
public class PlacementPolicyTests
{
    private const long DownAfter = 30_000;

    private static PlacementLimits Limits(int cap = 2) => new(3_000, DownAfter, cap, 30_000);

    private static ClusterMap Map(string[] nodes, params string[][] shards)
    {
        var machine = new MetaStateMachine();
        var records = nodes.Select(id => new NodeRecord(id, id + ":1", "", 1, NodeRecord.Active)).ToList();
        var ranges = HashRange.Split(shards.Length);
        machine.Apply(1, new BootstrapCluster("c1", shards[0].Length, records,
            [.. shards.Select((replicas, i) => new ShardRecord(i, ranges[i].Start, ranges[i].End, replicas, [], ShardRecord.FirstEpoch))])).ShouldBeNull();
        return machine.Map;
    }

    private static ClusterMap With(ClusterMap map, MetaCommand command)
    {
        var machine = MetaStateMachine.Restore(MetaStateMachineBytes(map));
        machine.Apply(map.Version + 1, command).ShouldBeNull();
        return machine.Map;
    }

    private static byte[] MetaStateMachineBytes(ClusterMap map)
    {
        var machine = new MetaStateMachine();
        machine.Apply(map.Version, new BootstrapCluster(map.ClusterId!, map.ReplicationFactor, map.Nodes, map.Shards)).ShouldBeNull();
        return machine.Serialize();
    }

    private static Func<string, long> Silent(params (string Node, long Milliseconds)[] silent) =>
        node => silent.FirstOrDefault(s => s.Node == node).Milliseconds;

    [Theory]
    [InlineData(3, 1)]
    [InlineData(3, 8)]
    [InlineData(4, 1)]
    [InlineData(4, 2)]
    [InlineData(4, 8)]
    [InlineData(5, 8)]
    public void a_cluster_placed_by_the_ring_asks_for_no_move(int nodes, int shards)
    {
        var ids = Enumerable.Range(1, nodes).Select(i => $"node-{i}").ToArray();
        var placement = new PlacementRing(ids.Select(id => new PlacementNode(id))).Place(shards, 3);
        var map = Map(ids, [.. placement.Select(p => p.ToArray())]);

        PlacementPolicy.Decide(map, Silent(), Limits(), 1_000_000).ShouldBeEmpty();
    }

    [Fact]
    public void a_draining_node_gives_its_replicas_to_the_nodes_with_fewest()
    {
        var map = With(Map(["a", "b", "c", "d"], ["a", "b", "c"], ["a", "b", "d"], ["b", "c", "d"]), new DrainNode("a", 1, "tests"));

        var decisions = PlacementPolicy.Decide(map, Silent(), Limits(), 1_000_000);

        decisions.Select(d => (d.ShardId, d.Source, d.Target, d.Reason)).ShouldBe([(0, "a", "d", "drain"), (1, "a", "c", "drain")]);
        decisions[0].Detail.ShouldContain("a is draining");
    }

    [Fact]
    public void a_drain_that_has_nowhere_to_go_waits_and_says_why()
    {
        var map = With(Map(["a", "b", "c"], ["a", "b", "c"]), new DrainNode("a", 1, "tests"));

        PlacementPolicy.Decide(map, Silent(), Limits(), 1_000_000).ShouldBeEmpty();
        PlacementPolicy.DrainBlocker(map, "a", Silent(), 3_000).ShouldNotBeNull().ShouldContain("no node can take shard-0");
    }

    [Fact]
    public void a_node_down_past_down_after_has_its_replicas_re_created_elsewhere_and_one_down_less_long_does_not()
    {
        var map = Map(["a", "b", "c", "d"], ["a", "b", "c"], ["b", "c", "d"]);

        PlacementPolicy.Decide(map, Silent(("a", DownAfter - 1)), Limits(), 1_000_000).ShouldBeEmpty("a node down for a while is waited for");
        var decision = PlacementPolicy.Decide(map, Silent(("a", DownAfter + 1_000)), Limits(), 1_000_000).ShouldHaveSingleItem();

        (decision.ShardId, decision.Source, decision.Target, decision.Reason).ShouldBe((0, "a", "d", "repair"));
        decision.Detail.ShouldBe("a down for 31 s; re-creating its replica of shard-0 on d");
    }

    [Fact]
    public void no_move_is_started_for_a_shard_whose_voters_are_mostly_down()
    {
        var map = Map(["a", "b", "c", "d"], ["a", "b", "c"]);

        PlacementPolicy.Decide(map, Silent(("a", DownAfter), ("b", DownAfter)), Limits(), 1_000_000).ShouldBeEmpty();
    }

    [Fact]
    public void an_empty_node_receives_replicas_until_within_one_of_the_others_at_most_cap_at_a_time()
    {
        var map = Map(["a", "b", "c", "d"], ["a", "b", "c"], ["a", "b", "c"], ["a", "b", "c"], ["a", "b", "c"]);

        var first = PlacementPolicy.Decide(map, Silent(), Limits(), 1_000_000);
        first.Count.ShouldBe(2);
        first.ShouldAllBe(d => d.Target == "d" && d.Reason == "join");

        var all = PlacementPolicy.Decide(map, Silent(), Limits(cap: 10), 1_000_000);
        all.Count.ShouldBe(3, "12 replicas on 4 nodes: d takes 3");
        all.Select(d => d.ShardId).Distinct().Count().ShouldBe(3, "one move per shard");
    }

    [Fact]
    public void a_node_whose_move_is_in_flight_counts_as_having_given_its_replica_so_it_is_not_asked_for_another()
    {
        // 12 replicas on 4 nodes: a and b are already giving one each to d, so only c is above its share of 3.
        var machine = MetaStateMachine.Restore(MetaStateMachineBytes(Map(["a", "b", "c", "d"], ["a", "b", "c"], ["a", "b", "c"], ["a", "b", "c"], ["a", "b", "c"])));
        machine.Apply(10, new StartMigration("m-1", 0, "a", "d", "join", "tests", 1_000)).ShouldBeNull();
        machine.Apply(11, new StartMigration("m-2", 1, "b", "d", "join", "tests", 1_000)).ShouldBeNull();

        var decision = PlacementPolicy.Decide(machine.Map, Silent(), Limits(cap: 10), 2_000).ShouldHaveSingleItem();

        (decision.Source, decision.Target, decision.Reason).ShouldBe(("c", "d", "join"));
        decision.ShardId.ShouldBeOneOf(2, 3);
    }

    [Fact]
    public void balancing_leaves_a_shard_alone_for_the_cooldown_after_it_moved()
    {
        var machine = MetaStateMachine.Restore(MetaStateMachineBytes(Map(["a", "b", "c", "d"], ["a", "b", "c"], ["a", "b", "c"])));
        machine.Apply(10, new StartMigration("m-1", 0, "c", "d", "manual", "tests", 1_000)).ShouldBeNull();
        machine.Apply(11, new UndoMigration("m-1", "cancelled", 2_000)).ShouldBeNull();
        var map = machine.Map;

        PlacementPolicy.Decide(map, Silent(), Limits(), 2_000 + 29_000).ShouldHaveSingleItem().ShardId.ShouldBe(1, "shard-0 moved a moment ago");
        PlacementPolicy.Decide(map, Silent(), Limits(), 2_000 + 31_000).ShouldHaveSingleItem().ShardId.ShouldBe(0);
    }

    [Fact]
    public void meta_commands_drain_undrain_and_remove_a_node_in_order()
    {
        var machine = new MetaStateMachine();
        var nodes = new[] { "a", "b", "c", "d" }.Select(id => new NodeRecord(id, id + ":1", "", 1, NodeRecord.Active)).ToList();
        machine.Apply(1, new BootstrapCluster("c1", 3, nodes, [new ShardRecord(0, 0, ulong.MaxValue, ["a", "b", "c"], [], 1)])).ShouldBeNull();

        machine.Apply(2, new RemoveNode("a", 1, "t")).ShouldNotBeNull().ShouldContain("still holds replicas of shard-0");
        machine.Apply(3, new CompleteDrain("d", 1)).ShouldNotBeNull().ShouldContain("not draining");
        machine.Apply(4, new DrainNode("d", 1, "t")).ShouldBeNull();
        machine.Apply(5, new DrainNode("d", 1, "t")).ShouldNotBeNull().ShouldContain("draining, not active");
        machine.Apply(6, new RegisterNode(nodes[3] with { ClientUrl = "http://d" })).ShouldBeNull();
        machine.Map.Node("d")!.Membership.ShouldBe(NodeRecord.Draining, "a node's own registration keeps the operator's drain");
        machine.Apply(7, new CompleteDrain("d", 1)).ShouldBeNull();
        machine.Map.Node("d")!.Membership.ShouldBe(NodeRecord.Drained);
        machine.Apply(8, new UndrainNode("d", 1, "t")).ShouldBeNull();
        machine.Map.Node("d")!.Membership.ShouldBe(NodeRecord.Active);
        machine.Apply(9, new RemoveNode("d", 1, "t")).ShouldBeNull();
        machine.Map.Node("d")!.Membership.ShouldBe(NodeRecord.Removed);
        machine.Apply(10, new RegisterNode(nodes[3])).ShouldNotBeNull().ShouldContain("removed");
        machine.Apply(11, new StartMigration("m-1", 0, "a", "d", "manual", "t", 1)).ShouldNotBeNull().ShouldContain("removed, not active");
    }
}
