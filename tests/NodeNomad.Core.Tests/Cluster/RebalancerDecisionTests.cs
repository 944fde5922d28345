using NodeNomad.Contracts;
using NodeNomad.Core.Cluster;

namespace NodeNomad.Core.Tests.Cluster;

/// <summary>The rebalancer's decisions: what it moves, in which order, and why it leaves the rest.</summary>
public class RebalancerDecisionTests
{
    private const long Now = 1_000_000;

    private static readonly RebalancerSettings Settings = new(CooldownSeconds: 120, Threshold: 1.25, Hysteresis: 1.10);

    /// <summary>Four nodes, four shards: shard i on nodes (i, i+1, i+2) mod 4, led by the first.</summary>
    private static ClusterMap Map(params string[] extraMembershipOf)
    {
        var ids = new[] { "node-1", "node-2", "node-3", "node-4" };
        var nodes = ids.Select(id => new NodeRecord(id, id + ":1", "", 1, extraMembershipOf.Contains(id) ? "draining" : NodeRecord.Active)).ToList();
        var shards = HashRange.Split(4).Select((r, i) => new ShardRecord(i, r.Start, r.End, [ids[i % 4], ids[(i + 1) % 4], ids[(i + 2) % 4]], [], 1)).ToList();
        return new ClusterMap("c", 4, 3, nodes, shards, 1);
    }

    /// <summary>Load where each shard's leader serves <paramref name="rates"/>[shard] writes/s; leaders per <paramref name="leaders"/> (default: first replica).</summary>
    private static RebalancerLoad Load(ClusterMap map, double[] rates, Dictionary<int, string>? leaders = null, params string[] down)
    {
        return new RebalancerLoad([.. map.Nodes.Select(n => new RebalancerNodeLoad(n.Id, !down.Contains(n.Id),
            [.. map.Shards.Where(s => s.IsHeldBy(n.Id)).Select(s =>
            {
                var leads = (leaders?.GetValueOrDefault(s.Id) ?? s.Replicas[0]) == n.Id;
                return new RebalancerReplicaLoad(s.Id, leads, 0, leads ? rates[s.Id] : 0, 1000, 10);
            })]))]);
    }

    private static RebalancerPlan Decide(ClusterMap map, RebalancerLoad load, RebalancerSettings? settings = null, RebalancerMemory? memory = null, long now = Now) =>
        Rebalancer.Decide(map, load, settings ?? Settings, now, memory ?? RebalancerMemory.Empty);

    [Fact]
    public void a_hot_node_gives_a_leadership_away_first()
    {
        var map = Map();
        // node-1 leads shard-0 (300 writes/s) and, here, shard-3 (100): it serves 400 of 600.
        var plan = Decide(map, Load(map, [300, 100, 100, 100], new() { [3] = "node-1" }));

        var move = plan.Decisions.ShouldHaveSingleItem();
        move.Action.ShouldBe(RebalancerDecision.Leadership);
        move.Source.ShouldBe("node-1");
        move.ShardId.ShouldBe(3, "moving shard-0's 300 writes/s would make its target as hot as node-1; shard-3's 100 helps");
        map.Shards[3].Replicas.ShouldContain(move.Target!);
        move.Reason.ShouldStartWith("node-1 serves 2.67× the mean requests/s; moving the leadership of shard-3 to");
        move.Figures.Single(f => f.NodeId == "node-1").Ratio.ShouldBe(2.67);
        move.Rejected.ShouldContain(r => r.Contains("leadership of shard-0 to node-2") && r.Contains("no cooler than node-1's 2.67×"));
        var command = plan.Commands.ShouldHaveSingleItem().ShouldBeOfType<HandOverLeadership>();
        command.Handover.ShouldBe(new LeadershipHandover(3, move.Target!, "rebalance " + move.Id, Now) { From = "node-1" });
    }

    [Fact]
    public void when_no_leadership_helps_a_replica_moves_to_the_coolest_node_without_one()
    {
        var map = Map();
        // node-1's load is one shard's: wherever it goes, its target is as hot.
        var leaders = new Dictionary<int, string> { [0] = "node-1", [2] = "node-3", [3] = "node-4" };
        var load = Load(map, [400, 0, 100, 100], leaders);

        var move = Decide(map, load).Decisions.ShouldHaveSingleItem();

        move.Action.ShouldBe(RebalancerDecision.Hold, "one shard alone carries node-1's load: moving it anywhere makes its target as hot");
        move.Reason.ShouldContain("no move would help");
        move.Rejected.ShouldContain(r => r.StartsWith("leadership of shard-0 to node-2", StringComparison.Ordinal));
        move.Rejected.ShouldContain(r => r.StartsWith("replica of shard-0 to node-4", StringComparison.Ordinal));
    }

    [Fact]
    public void a_replica_moves_when_the_other_voters_are_as_hot()
    {
        var map = Map();
        // node-1 holds shard-0 (leads, 150), shard-2 (follows), shard-3 (leads, 150); node-2 and node-3 are busy with
        // shard-1 and shard-2; node-4 is idle but holds no replica of shard-0.
        var leaders = new Dictionary<int, string> { [0] = "node-1", [1] = "node-2", [2] = "node-3", [3] = "node-1" };
        var load = Load(map, [150, 150, 150, 150], leaders);
        // node-4 holds shard-1 (follower), shard-2 (follower), shard-3 (follower): it is a voter of shard-3 and takes its leadership.
        var first = Decide(map, load).Decisions.ShouldHaveSingleItem();
        first.Action.ShouldBe(RebalancerDecision.Leadership);
        first.Target.ShouldBe("node-4");

        // With node-4 down, no voter of node-1's shards is cool: shard-0's replica goes to... none is free (every node
        // but node-4 holds shard-0 or is hot), so the decision holds and says why.
        var withoutFour = Decide(map, Load(map, [150, 150, 150, 150], leaders, "node-4")).Decisions.ShouldHaveSingleItem();
        withoutFour.Action.ShouldBe(RebalancerDecision.Hold);
        withoutFour.Rejected.ShouldContain(r => r.Contains("node-4 is not an eligible target"));
    }

    [Fact]
    public void a_replica_moves_when_only_a_node_without_the_shard_is_cool()
    {
        // Five nodes; shard-0 and shard-1 are both led by node-1, whose fellow voters node-2 and node-3 are as busy; node-4
        // and node-5 are idle and hold neither.
        var ids = new[] { "node-1", "node-2", "node-3", "node-4", "node-5" };
        var nodes = ids.Select(id => new NodeRecord(id, id + ":1", "", 1, NodeRecord.Active)).ToList();
        var shards = HashRange.Split(4).Select((r, i) => new ShardRecord(i, r.Start, r.End,
            i < 2 ? ["node-1", "node-2", "node-3"] : i == 2 ? ["node-2", "node-3", "node-4"] : ["node-3", "node-2", "node-4"], [], 1)).ToList();
        var map = new ClusterMap("c", 4, 3, nodes, shards, 1);
        var load = new RebalancerLoad([
            new RebalancerNodeLoad("node-1", true, [new(0, true, 0, 100, 1, 1), new(1, true, 0, 100, 1, 1)]),
            new RebalancerNodeLoad("node-2", true, [new(0, false, 0, 0, 1, 1), new(1, false, 0, 0, 1, 1), new(2, true, 0, 180, 1, 1), new(3, false, 0, 0, 1, 1)]),
            new RebalancerNodeLoad("node-3", true, [new(0, false, 0, 0, 1, 1), new(1, false, 0, 0, 1, 1), new(2, false, 0, 0, 1, 1), new(3, true, 0, 180, 1, 1)]),
            new RebalancerNodeLoad("node-4", true, [new(2, false, 0, 0, 1, 1), new(3, false, 0, 0, 1, 1)]),
            new RebalancerNodeLoad("node-5", true, []),
        ]);

        var plan = Decide(map, load);

        var move = plan.Decisions.ShouldHaveSingleItem();
        move.Action.ShouldBe(RebalancerDecision.Replica);
        move.Source.ShouldBe("node-1");
        move.Target.ShouldBe("node-5", "node-4 and node-5 are both idle, but one more replica on node-4 while node-5 holds none is what the placement driver evens out");
        move.Reason.ShouldContain("the coolest node without one");
        move.Reason.ShouldContain("for its leadership to follow there");
        move.ReplicaSource.ShouldBe("node-2", "a follower's replica moves, so that the leadership goes from node-1 to node-5 directly");
        move.LeadershipFollows.ShouldBeTrue();
        var start = plan.Commands.ShouldHaveSingleItem().ShouldBeOfType<StartMigration>();
        start.Reason.ShouldBe("rebalance");
        start.Id.ShouldBe("m-" + move.Id);
        start.Source.ShouldBe("node-2");
        start.LeadershipTo.ShouldBe("node-5");
        start.Detail.ShouldNotBeNull().ShouldContain(move.Id);
        move.Rejected.ShouldContain(r => r.StartsWith("leadership of shard-0 to node-2: node-2 would serve", StringComparison.Ordinal));
    }

    [Fact]
    public void a_node_below_the_threshold_is_left_alone_and_one_being_balanced_is_until_the_hysteresis_bound()
    {
        var map = Map();
        // node-1 at 1.2× the mean: below 1.25, nothing happens.
        var mild = Load(map, [120, 100, 90, 90]);
        Decide(map, mild).Decisions.ShouldBeEmpty();

        // Being balanced already (it was hot), 1.2× is above the 1.10 bound: it goes on.
        var going = Decide(map, mild, memory: new RebalancerMemory(["node-1"]));
        going.Memory.Balancing.ShouldBe(["node-1"]);
        going.Decisions.ShouldNotBeEmpty();

        // At 1.05× it stops, and says so.
        var settled = Decide(map, Load(map, [105, 100, 100, 95]), memory: new RebalancerMemory(["node-1"]));
        settled.Memory.Balancing.ShouldBeEmpty();
        var decision = settled.Decisions.ShouldHaveSingleItem();
        decision.Action.ShouldBe(RebalancerDecision.Settled);
        decision.Reason.ShouldContain("down to the hysteresis bound 1.1×");
    }

    [Fact]
    public void a_shard_that_moved_within_its_cooldown_stays_and_the_rejection_says_when_it_moved()
    {
        var map = Map() with { Handovers = [new LeadershipHandover(3, "node-1", "rebalance r1", Now - 40_000)] };
        var plan = Decide(map, Load(map, [300, 100, 100, 100], new() { [3] = "node-1" }));

        var decision = plan.Decisions.ShouldHaveSingleItem();
        decision.ShardId.ShouldNotBe(3);
        decision.Rejected.ShouldContain("leadership of shard-3: shard-3 moved 40 s ago; its cooldown is 120 s");

        var later = Decide(map, Load(map, [300, 100, 100, 100], new() { [3] = "node-1" }), now: Now + 81_000).Decisions.ShouldHaveSingleItem();
        later.ShardId.ShouldBe(3, "past its cooldown the shard moves again");
    }

    [Fact]
    public void no_move_starts_beyond_the_cap_of_moves_in_flight()
    {
        var moving = new MigrationRecord("m-r1", 1, "node-2", "node-1", "rebalance", "rebalancer", MigrationStates.CatchingUp,
            [new MigrationStep(MigrationStates.Pending, Now - 5_000, null)]);
        var map = Map() with { Migrations = [moving] };
        var load = Load(map, [300, 100, 100, 100], new() { [3] = "node-1" });

        var held = Decide(map, load).Decisions.ShouldHaveSingleItem();
        held.Action.ShouldBe(RebalancerDecision.Hold);
        held.Reason.ShouldContain("1 move(s) in flight, the cap is 1: waiting");

        Decide(map, load, Settings with { MaxConcurrentMoves = 2 }).Decisions.ShouldHaveSingleItem().Action.ShouldBe(RebalancerDecision.Leadership);
    }

    [Fact]
    public void weights_give_a_node_a_larger_share()
    {
        var map = Map();
        var load = Load(map, [300, 100, 100, 100], new() { [3] = "node-1" });
        // Weighted 3 (and the others 1), node-1's share is half the load: 400 of 600 is 1.33× its share, and shard-3's
        // leadership, moved, would leave it below the mean while its target rises: still a move. At weight 4 it is cool.
        var heavy = Settings with { Weights = new Dictionary<string, int> { ["node-1"] = 4 } };
        Decide(map, load, heavy).Decisions.ShouldBeEmpty("node-1's weight 4 makes 400 of 600 writes/s less than its share");
        var figures = Decide(map, load).Decisions.ShouldHaveSingleItem().Figures;
        figures.Single(f => f.NodeId == "node-1").Weight.ShouldBe(1);
    }

    [Fact]
    public void a_nearly_idle_cluster_is_not_balanced_for_noise()
    {
        var map = Map();
        // node-1 serves 3 writes/s of 4: 3× the mean, but 2 writes/s above its share is noise.
        Decide(map, Load(map, [3, 1, 0, 0])).Decisions.ShouldBeEmpty();
        Decide(map, Load(map, [300, 100, 0, 0])).Decisions.ShouldNotBeEmpty();
    }

    [Fact]
    public void a_decision_lists_at_most_twenty_rejected_moves_and_counts_the_rest()
    {
        // 24 shards all led by node-1 at 10 writes/s each, with every other voter as busy as node-1 would leave it.
        var ids = new[] { "node-1", "node-2", "node-3" };
        var nodes = ids.Select(id => new NodeRecord(id, id + ":1", "", 1, NodeRecord.Active)).ToList();
        var shards = HashRange.Split(24).Select((r, i) => new ShardRecord(i, r.Start, r.End, ids, [], 1)).ToList();
        var map = new ClusterMap("c", 24, 3, nodes, shards, 1);
        var load = new RebalancerLoad([.. ids.Select(id => new RebalancerNodeLoad(id, true,
            [.. shards.Select(s => new RebalancerReplicaLoad(s.Id, id == "node-1", 0, id == "node-1" ? 10 : 0, 1, 1))]))]);
        var cooling = map with { Handovers = [.. shards.Select(s => new LeadershipHandover(s.Id, "node-1", "rebalance r0", Now - 1_000))] };

        var decision = Decide(cooling, load).Decisions.ShouldHaveSingleItem();

        decision.Rejected.Count.ShouldBe(Rebalancer.RejectionsKept + 1);
        decision.Rejected[^1].ShouldBe("and 28 more moves, rejected alike", "24 leaderships and 24 replicas, all cooling down");
    }

    [Fact]
    public void disabled_decides_nothing()
    {
        var map = Map();
        Decide(map, Load(map, [300, 100, 100, 100], new() { [3] = "node-1" }), Settings with { Enabled = false }).Decisions.ShouldBeEmpty();
    }

    [Fact]
    public void a_node_that_is_down_or_not_active_never_receives_load()
    {
        var map = Map("node-4");
        var load = Load(map, [300, 100, 100, 100], new() { [3] = "node-1" }, "node-2");
        Rebalancer.IsEligibleTarget(map.Node("node-4")!, load).ShouldBeFalse("node-4 drains");
        Rebalancer.IsEligibleTarget(map.Node("node-2")!, load).ShouldBeFalse("node-2 is down");
        Rebalancer.IsEligibleTarget(map.Node("node-3")!, load).ShouldBeTrue();

        foreach (var decision in Decide(map, load).Decisions)
        {
            decision.Target.ShouldNotBe("node-2");
            decision.Target.ShouldNotBe("node-4");
        }
    }

    [Fact]
    public void a_replica_moved_to_bring_a_leadership_is_followed_by_it()
    {
        var done = new MigrationRecord("m-r1", 0, "node-1", "node-4", "rebalance", "rebalancer", MigrationStates.Done,
        [
            new MigrationStep(MigrationStates.Pending, Now - 20_000, null),
            new MigrationStep(MigrationStates.TransferringLeadership, Now - 15_000, null),
            new MigrationStep(MigrationStates.Done, Now - 10_000, null),
        ])
        {
            LeadershipTo = "node-4",
        };
        var map = Map();
        map = map with
        {
            Migrations = [done],
            Shards = [map.Shards[0] with { Replicas = ["node-4", "node-2", "node-3"] }, .. map.Shards.Skip(1)],
        };
        var load = Load(map, [100, 100, 100, 100], new() { [0] = "node-2", [3] = "node-3" });

        var plan = Decide(map, load);

        var follow = plan.Decisions.ShouldHaveSingleItem();
        follow.Action.ShouldBe(RebalancerDecision.Leadership);
        follow.ShardId.ShouldBe(0);
        follow.Source.ShouldBe("node-2");
        follow.Target.ShouldBe("node-4");
        follow.Reason.ShouldContain("its leadership follows it from node-2");

        var followed = map with { Handovers = [new LeadershipHandover(0, "node-4", "rebalance " + follow.Id, Now)] };
        Decide(followed, load, now: Now + 11_000).Decisions.ShouldNotContain(d => d.ShardId == 0 && d.Action == RebalancerDecision.Leadership,
            "a leadership follows its replica once");
    }

    [Fact]
    public void the_cap_counts_the_placement_drivers_migrations_and_hand_overs_too()
    {
        var joining = new MigrationRecord("m-p1", 1, "node-2", "node-1", PlacementPolicy.Join, "placement driver", MigrationStates.CatchingUp,
            [new MigrationStep(MigrationStates.Pending, Now - 5_000, null)]);
        var map = Map() with { Migrations = [joining] };
        var load = Load(map, [300, 100, 100, 100], new() { [3] = "node-1" });

        var held = Decide(map, load).Decisions.ShouldHaveSingleItem();
        held.Action.ShouldBe(RebalancerDecision.Hold, "a join is under way: balancing load waits for it");
        held.Reason.ShouldContain("1 move(s) in flight, the cap is 1: waiting");

        // A leadership hand-over the shard's leader has not carried out yet counts as well.
        var handing = Map() with { Handovers = [new LeadershipHandover(2, "node-4", "join: node-4 leads 0 of 4 shards (its share 1); …", Now - 1_000)] };
        Decide(handing, Load(handing, [300, 100, 100, 100], new() { [3] = "node-1" })).Decisions.ShouldHaveSingleItem().Action.ShouldBe(RebalancerDecision.Hold);
    }

    [Fact]
    public void a_leadership_that_would_take_a_node_more_than_one_off_its_share_is_swapped_for_the_coolest_the_target_leads()
    {
        // Sixteen shards on four nodes: each should lead 4, and leads 3 to 5. node-1 leads two hot shards and one cold; node-4
        // leads five cold ones. Giving node-4 a hot leadership alone would leave node-1 at 2 and node-4 at 6.
        var ids = new[] { "node-1", "node-2", "node-3", "node-4" };
        var nodes = ids.Select(id => new NodeRecord(id, id + ":1", "", 1, NodeRecord.Active)).ToList();
        string[] ReplicasOf(int shard) => shard switch
        {
            0 => ["node-1", "node-4", "node-2"],
            1 => ["node-1", "node-3", "node-2"],
            2 => ["node-1", "node-4", "node-3"],
            < 8 => ["node-4", "node-1", "node-2"],
            < 12 => ["node-2", "node-3", "node-4"],
            _ => ["node-3", "node-2", "node-4"],
        };
        var shards = HashRange.Split(16).Select((r, i) => new ShardRecord(i, r.Start, r.End, ReplicasOf(i), [], 1)).ToList();
        var map = new ClusterMap("c", 16, 3, nodes, shards, 1);
        double[] rates = [200, 200, .. Enumerable.Repeat(10.0, 14)];
        var load = new RebalancerLoad([.. ids.Select(id => new RebalancerNodeLoad(id, true,
            [.. shards.Where(s => s.Replicas.Contains(id)).Select(s => new RebalancerReplicaLoad(s.Id, s.Replicas[0] == id, 0, s.Replicas[0] == id ? rates[s.Id] : 0, 1, 1))]))]);

        var plan = Decide(map, load);

        plan.Decisions.Select(d => (d.Action, d.ShardId, d.Source, d.Target)).ShouldBe(
            [(RebalancerDecision.Leadership, 0, "node-1", "node-4"), (RebalancerDecision.Leadership, 3, "node-4", "node-1")]);
        plan.Decisions[0].Reason.ShouldContain("moving the leadership of shard-0 to node-4, with the leadership of shard-3 coming back to node-1 in exchange");
        plan.Decisions[1].Reason.ShouldBe($"in exchange for shard-0 ({plan.Decisions[0].Id}), node-4 hands the leadership of shard-3 to node-1, so both keep their share of leaderships");
        plan.Decisions[0].Rejected.ShouldContain(r => r.StartsWith("leadership of shard-0 to node-2: node-1 would lead 2 of 16 shards, more than one below its share of 4", StringComparison.Ordinal)
            && r.EndsWith("and no exchange keeps the counts", StringComparison.Ordinal));
        plan.Commands.Count.ShouldBe(2);
    }

    [Fact]
    public void a_move_that_would_only_swap_which_node_is_hotter_is_not_made()
    {
        // Three nodes of six shards: node-1 at 1.25× the mean. Its cold leadership (0.3× the mean) would take either other
        // node to 1.2× or 1.15×, less than half of it below node-1's 1.25×: the next round would move it back.
        var ids = new[] { "node-1", "node-2", "node-3" };
        var nodes = ids.Select(id => new NodeRecord(id, id + ":1", "", 1, NodeRecord.Active)).ToList();
        var shards = HashRange.Split(6).Select((r, i) => new ShardRecord(i, r.Start, r.End, ids, [], 1)).ToList();
        var map = new ClusterMap("c", 6, 3, nodes, shards, 1);
        double[] rates = [95, 50, 45, 30, 40, 40];
        var load = new RebalancerLoad([.. ids.Select((id, n) => new RebalancerNodeLoad(id, true,
            [.. shards.Select(s => new RebalancerReplicaLoad(s.Id, s.Id % 3 == n, 0, s.Id % 3 == n ? rates[s.Id] : 0, 1, 1))]))]);

        var hold = Decide(map, load).Decisions.ShouldHaveSingleItem();

        hold.Action.ShouldBe(RebalancerDecision.Hold);
        hold.Rejected.ShouldContain("leadership of shard-3 to node-2: node-2 would serve 1.2× the mean, less than 0.15× below node-1's 1.25×: it would only swap which is hotter");
        hold.Rejected.ShouldContain("leadership of shard-3 to node-3: node-3 would serve 1.15× the mean, less than 0.15× below node-1's 1.25×: it would only swap which is hotter");
    }

    [Fact]
    public void a_shard_does_not_go_back_to_the_node_it_left_within_five_cooldowns()
    {
        // shard-3's leadership came to node-1 from node-2 200 s ago: past its 120 s cooldown, but within 600 s.
        var map = Map() with { Handovers = [new LeadershipHandover(3, "node-1", "rebalance r1", Now - 200_000) { From = "node-2" }] };
        var load = Load(map, [300, 100, 100, 100], new() { [3] = "node-1" });

        var decision = Decide(map, load).Decisions.ShouldHaveSingleItem();

        decision.Target.ShouldNotBe("node-2");
        decision.Rejected.ShouldContain("leadership of shard-3 to node-2: shard-3 left node-2 200 s ago, and a shard does not go back within 600 s");
        decision.Target.ShouldBe("node-4");
        var later = Decide(map, load, now: Now + 400_001).Decisions.ShouldHaveSingleItem();
        later.Target.ShouldBe("node-4", "node-4 leads nothing: it is the cooler of the two");
        later.Rejected.ShouldNotContain(r => r.Contains("does not go back", StringComparison.Ordinal));
        var withoutNode4 = Load(map, [300, 100, 100, 100], new() { [3] = "node-1" }, "node-4");
        Decide(map, withoutNode4, now: Now + 400_001).Decisions.ShouldHaveSingleItem().Target.ShouldBe("node-2", "past five cooldowns it may go back");
    }

    [Fact]
    public void a_replica_that_would_leave_the_replica_counts_uneven_comes_with_one_that_comes_back()
    {
        // Four nodes of four shards hold three replicas each; the replica of shard-0 that moves to node-4 for its leadership
        // would leave node-4 with four and its giver with two, which the placement driver evens out: one of node-4's
        // replicas goes to the giver in exchange.
        var map = Map();
        var leaders = new Dictionary<int, string> { [0] = "node-1", [1] = "node-2", [2] = "node-3", [3] = "node-1" };
        var load = Load(map, [150, 150, 150, 150], leaders, "node-4");
        var up = new RebalancerLoad([.. load.Nodes.Select(n => n with { IsUp = true })]);
        // node-4 serves nothing here, and shard-3's leadership is cooling: only shard-0 can go, and node-4 lacks it.
        var cooling = map with { Handovers = [new LeadershipHandover(3, "node-1", "rebalance r0", Now - 1_000) { From = "node-4" }] };

        var plan = Decide(cooling, up);

        plan.Decisions.Count.ShouldBe(2);
        var (move, exchange) = (plan.Decisions[0], plan.Decisions[1]);
        (move.Action, move.ShardId, move.Source, move.Target).ShouldBe((RebalancerDecision.Replica, 0, "node-1", "node-4"));
        move.Reason.ShouldContain("going to");
        move.Reason.ShouldContain("in exchange");
        (exchange.Action, exchange.Source, exchange.Target).ShouldBe((RebalancerDecision.Replica, "node-4", move.ReplicaSource));
        exchange.Reason.ShouldContain("so both keep their share of replicas");
        plan.Commands.OfType<StartMigration>().Count().ShouldBe(2);
    }

    [Fact]
    public void settings_out_of_range_are_named_field_by_field()
    {
        var problems = new RebalancerSettings(Threshold: 1.0, Hysteresis: 1.2, IntervalSeconds: 0, Dimension: "cpu", MaxConcurrentMoves: 0).Problems();
        problems.Select(p => p.Field).ShouldBe(["intervalSeconds", "dimension", "threshold", "hysteresis", "maxConcurrentMoves"], ignoreOrder: true);
        RebalancerSettings.Default.Problems().ShouldBeEmpty();
    }

    [Fact]
    public void the_meta_group_applies_settings_and_hand_overs_and_refuses_bad_ones()
    {
        var machine = new MetaStateMachine();
        var map = Map();
        machine.Apply(1, new BootstrapCluster("c", 3, map.Nodes, map.Shards)).ShouldBeNull();
        machine.Map.RebalancerSettings.ShouldBe(RebalancerSettings.Default);

        machine.Apply(2, new SetRebalancerSettings(Settings with { Enabled = false })).ShouldBeNull();
        machine.Map.RebalancerSettings.Enabled.ShouldBeFalse();
        machine.Apply(3, new SetRebalancerSettings(Settings with { Threshold = 0.5 })).ShouldNotBeNull().ShouldContain("threshold");

        machine.Apply(4, new HandOverLeadership(new LeadershipHandover(0, "node-4", "rebalance r1", Now))).ShouldNotBeNull().ShouldContain("holds no voting replica");
        machine.Apply(5, new HandOverLeadership(new LeadershipHandover(0, "node-2", "rebalance r1", Now))).ShouldBeNull();
        machine.Apply(6, new HandOverLeadership(new LeadershipHandover(0, "node-3", "rebalance r2", Now + 1))).ShouldBeNull();
        machine.Map.Handovers.ShouldHaveSingleItem().Target.ShouldBe("node-3");

        var restored = MetaStateMachine.Restore(machine.Serialize()).Map;
        restored.RebalancerSettings.Enabled.ShouldBeFalse();
        restored.Handovers.ShouldHaveSingleItem().Target.ShouldBe("node-3");
        MetaStateMachine.Decode(MetaStateMachine.Encode(new SetRebalancerSettings(Settings))).ShouldBe(new SetRebalancerSettings(Settings), new SettingsComparer());
    }

    private sealed class SettingsComparer : IEqualityComparer<MetaCommand>
    {
        public bool Equals(MetaCommand? x, MetaCommand? y) =>
            x is SetRebalancerSettings a && y is SetRebalancerSettings b && a.Settings with { Weights = b.Settings.Weights } == b.Settings;

        public int GetHashCode(MetaCommand obj) => 0;
    }
}
