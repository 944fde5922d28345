using NodeNomad.Core.Cluster;
using Shouldly;

namespace NodeNomad.Node.Tests.Runtime;

/// <summary>The rebalancer inside the node core: hand-overs carried out by the shard's leader, and decisions taken by the meta leader from the load it is handed.</summary>
public class RebalancerDriverTests
{
    private static CoreHarness.Member MetaLeader(CoreHarness cluster) => cluster.Members.Values.First(m => m.Core!.Meta.IsLeader);

    private static void Propose(CoreHarness cluster, MetaCommand command)
    {
        var leader = MetaLeader(cluster);
        leader.Core!.Propose(cluster.NextTicket(), 0, MetaStateMachine.Encode(command));
        cluster.Turn(leader.Id);
        cluster.Tick(3);
    }

    /// <summary>The shard's leader serves 100 writes/s, the others nothing.</summary>
    private static RebalancerLoad HotLeader(CoreHarness cluster, string leader) =>
        new([.. cluster.Members.Keys.Select(id => new RebalancerNodeLoad(id, true, [new RebalancerReplicaLoad(0, id == leader, 0, id == leader ? 100 : 0, 10, 1)]))]);

    private static void Round(CoreHarness cluster, long at, RebalancerLoad load)
    {
        var meta = MetaLeader(cluster);
        meta.Core!.SetTime(at);
        for (var i = 0; i < 3; i++)
        {
            meta.Core.ObserveLoad(load);
        }

        cluster.Tick(1);
    }

    [Fact]
    public void a_hand_over_recorded_in_the_meta_group_moves_the_shards_leadership()
    {
        var cluster = new CoreHarness(0, "a", "b", "c");
        var leader = cluster.Settle();
        var target = cluster.Members.Keys.First(id => id != leader);

        Propose(cluster, new HandOverLeadership(new LeadershipHandover(0, target, "rebalance r1", 0)));
        cluster.Tick(30);

        cluster.Members[target].Core!.Shards[0].IsLeader.ShouldBeTrue($"{target} leads shard-0 after the hand-over {leader} was asked for");
    }

    /// <summary>Shard 0 as the nodes report it: <paramref name="leader"/> leads, and each node's figure is its last ten seconds' writes.</summary>
    private static RebalancerLoad Reported(CoreHarness cluster, string leader, IReadOnlyDictionary<string, double> writes) =>
        new([.. cluster.Members.Keys.Select(id => new RebalancerNodeLoad(id, true, [new RebalancerReplicaLoad(0, id == leader, 0, writes.GetValueOrDefault(id), 10, 1)]))]);

    [Fact]
    public void after_a_leadership_move_the_new_leader_is_not_shown_cooler_while_the_reported_window_still_holds_the_old_leaders_seconds()
    {
        var cluster = new CoreHarness(0, "a", "b", "c");
        cluster.Settle();
        var meta = MetaLeader(cluster).Core!;
        var at = 10_000L;
        for (var i = 0; i < 5; i++, at += 1_000)
        {
            meta.SetTime(at);
            meta.ObserveLoad(Reported(cluster, "a", new Dictionary<string, double> { ["a"] = 100 }));
        }

        // The leadership moves from a to b: for ten seconds each node's ten-second window mixes before and after.
        for (var second = 1; second <= 14; second++, at += 1_000)
        {
            var share = Math.Min(10, second) / 10.0;
            meta.SetTime(at);
            meta.ObserveLoad(Reported(cluster, "b", new Dictionary<string, double> { ["a"] = 100 * (1 - share), ["b"] = 100 * share }));
            meta.RebalancerLoad.Node("b")!.In(RebalancerDimensions.Writes).ShouldBe(100, 0.5, $"b's writes {second} s after the move");
            meta.RebalancerLoad.Node("a")!.In(RebalancerDimensions.Writes).ShouldBe(0, 0.5, $"a's writes {second} s after the move");
        }

        // Past the window the averages follow the figures again.
        meta.SetTime(at);
        meta.ObserveLoad(Reported(cluster, "b", new Dictionary<string, double> { ["b"] = 50 }));
        meta.RebalancerLoad.Node("b")!.In(RebalancerDimensions.Writes).ShouldBe(90, 0.5);
    }

    [Fact]
    public void the_meta_leader_explains_a_hot_node_it_cannot_help_and_counts_the_repeats()
    {
        var cluster = new CoreHarness(0, "a", "b", "c");
        var leader = cluster.Settle();
        Propose(cluster, new SetRebalancerSettings(RebalancerSettings.Default with { IntervalSeconds = 5 }));

        Round(cluster, 10_000, HotLeader(cluster, leader));
        var decision = MetaLeader(cluster).Core!.RebalancerDecisions.ShouldHaveSingleItem();
        decision.Action.ShouldBe(RebalancerDecision.Hold);
        decision.Reason.ShouldStartWith($"{leader} serves 3.0× the mean requests/s, but no move would help");
        decision.Rejected.ShouldContain(r => r.Contains("would serve 3.0× the mean, no cooler than", StringComparison.Ordinal));

        Round(cluster, 12_000, HotLeader(cluster, leader));
        MetaLeader(cluster).Core!.RebalancerDecisions.ShouldHaveSingleItem().Repeats.ShouldBe(1, "within the interval no round runs");

        Round(cluster, 16_000, HotLeader(cluster, leader));
        var repeated = MetaLeader(cluster).Core!.RebalancerDecisions.ShouldHaveSingleItem();
        repeated.Repeats.ShouldBe(2);
        repeated.Id.ShouldBe(decision.Id, "a repeat keeps its entry");
        MetaLeader(cluster).Core!.RebalancerLoad.Node(leader)!.In(RebalancerDimensions.Writes).ShouldBe(100);
    }

    [Fact]
    public void switched_off_in_the_meta_group_it_decides_nothing()
    {
        var cluster = new CoreHarness(0, "a", "b", "c");
        var leader = cluster.Settle();
        Propose(cluster, new SetRebalancerSettings(RebalancerSettings.Default with { Enabled = false }));

        Round(cluster, 10_000, HotLeader(cluster, leader));

        MetaLeader(cluster).Core!.RebalancerDecisions.ShouldBeEmpty();
        cluster.Members.Values.ShouldAllBe(m => !m.Core!.Map.RebalancerSettings.Enabled);
    }
}
