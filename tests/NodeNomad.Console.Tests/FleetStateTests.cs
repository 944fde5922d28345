using NodeNomad.Console.Fleet;
using NodeNomad.Contracts.Fleet;

namespace NodeNomad.Console.Tests;

public sealed class FleetStateTests
{
    [Fact]
    public void a_node_silent_for_longer_than_the_limit_is_shown_down_not_forgotten()
    {
        var clock = new ManualClock();
        var fleet = Fleets.ThreeNodes(clock);

        clock.Advance(FleetState.SilenceLimit + TimeSpan.FromMilliseconds(1));
        fleet.Tick();

        fleet.Current.Nodes.Select(n => (n.Id, n.State)).ShouldBe([("node-1", "down"), ("node-2", "down"), ("node-3", "down")]);
        fleet.Current.Shards.Single().Health.ShouldBe(ShardHealth.Unavailable);
    }

    [Fact]
    public void a_node_that_reports_again_is_up_and_the_return_is_an_event()
    {
        var clock = new ManualClock();
        var fleet = Fleets.ThreeNodes(clock);
        clock.Advance(TimeSpan.FromSeconds(4));
        fleet.Tick();

        fleet.ReportStatus(Fleets.Report("node-2", clock.GetUtcNow()));

        fleet.Current.Node("node-2")!.IsUp.ShouldBeTrue();
        fleet.Current.Events.Select(e => (e.Kind, e.Subject)).ShouldContain((FleetEventKinds.NodeBack, "node-2"));
    }

    [Fact]
    public void the_same_event_told_by_several_nodes_is_kept_once()
    {
        var clock = new ManualClock();
        var fleet = new FleetState(clock);
        var at = clock.GetUtcNow();

        fleet.ReportEvent(Fleets.Event(FleetEventKinds.NodeUnreachable, "node-3", at, reporter: "node-1"));
        fleet.ReportEvent(Fleets.Event(FleetEventKinds.NodeUnreachable, "node-3", at.AddSeconds(1), reporter: "node-2"));

        fleet.Current.Events.Count.ShouldBe(1);
    }

    [Fact]
    public void the_load_is_summed_over_the_reporting_nodes_with_the_worst_p99()
    {
        var clock = new ManualClock();
        var fleet = new FleetState(clock);
        fleet.ReportStatus(Fleets.Report("node-1", clock.GetUtcNow(), reads: 10, writes: 2, p99: 3));
        fleet.ReportStatus(Fleets.Report("node-2", clock.GetUtcNow(), reads: 5, writes: 1, p99: 7));

        fleet.Tick();

        var load = fleet.Current.Load;
        (load.At, load.ReadsPerSecond, load.WritesPerSecond, load.WriteLatencyP99Milliseconds).ShouldBe((clock.GetUtcNow(), 15d, 3d, 7d));
        load.Nodes["node-2"].ShouldBe(new NodeLoad(5, 1, 7));
    }

    [Fact]
    public void the_history_keeps_the_last_ten_minutes()
    {
        var clock = new ManualClock();
        var fleet = new FleetState(clock);

        for (var i = 0; i < FleetState.HistoryLength + 10; i++)
        {
            clock.Advance(TimeSpan.FromSeconds(1));
            fleet.Tick();
        }

        fleet.Current.History.Count.ShouldBe(FleetState.HistoryLength);
        fleet.Current.History[^1].At.ShouldBe(clock.GetUtcNow());
    }

    [Fact]
    public void events_are_in_the_order_they_happened_whichever_node_told_them_and_whenever_they_arrived()
    {
        var clock = new ManualClock();
        var fleet = new FleetState(clock);
        var at = clock.GetUtcNow();

        // node-1 reports its batch late; node-2's events came in between.
        fleet.ReportEvent(Fleets.Event(FleetEventKinds.LeaderChanged, "node-2", at.AddSeconds(2), reporter: "node-2"));
        fleet.ReportEvent(Fleets.Event(FleetEventKinds.NodeUnreachable, "node-3", at.AddSeconds(4), reporter: "node-2"));
        fleet.ReportEvent(Fleets.Event(FleetEventKinds.NodeStarted, "node-1", at.AddSeconds(1), reporter: "node-1"));
        fleet.ReportEvent(Fleets.Event(FleetEventKinds.MetaLeaderChanged, "node-1", at.AddSeconds(3), reporter: "node-1"));

        fleet.Current.Events.Select(e => e.At).ShouldBe([at.AddSeconds(4), at.AddSeconds(3), at.AddSeconds(2), at.AddSeconds(1)]);
    }

    [Fact]
    public void a_node_new_to_the_membership_is_a_join_but_the_first_membership_is_not()
    {
        var clock = new ManualClock();
        var fleet = Fleets.ThreeNodes(clock);

        fleet.ApplyMembership([Fleets.Member("node-1"), Fleets.Member("node-2"), Fleets.Member("node-3"), Fleets.Member("node-4")]);

        fleet.Current.Events.Where(e => e.Kind == FleetEventKinds.NodeJoined).Select(e => e.Subject).ShouldBe(["node-4"]);
    }

    [Fact]
    public void a_down_node_keeps_its_last_report_marked_stale_and_its_replicas_unavailable()
    {
        var clock = new ManualClock();
        var fleet = Fleets.ThreeNodes(clock);
        clock.Advance(FleetState.SilenceLimit + TimeSpan.FromSeconds(1));
        fleet.ReportStatus(Fleets.Report("node-1", clock.GetUtcNow(), role: "leader"));
        fleet.ReportStatus(Fleets.Report("node-2", clock.GetUtcNow()));
        fleet.Tick();

        var down = fleet.Current.Node("node-3")!;
        down.IsStale.ShouldBeTrue();
        down.Report.ShouldNotBeNull();
        fleet.Current.Node("node-1")!.IsStale.ShouldBeFalse();
        var shard = fleet.Current.Shard(0)!;
        shard.IsUnavailableOn("node-3").ShouldBeTrue();
        shard.IsUnavailableOn("node-2").ShouldBeFalse();
        shard.Replicas.Single(r => r.NodeId == "node-3").Available.ShouldBeFalse();
    }

    [Fact]
    public void a_shard_remembers_its_epochs_and_load()
    {
        var clock = new ManualClock();
        var fleet = Fleets.ThreeNodes(clock);
        clock.Advance(TimeSpan.FromSeconds(1));
        fleet.ApplyShards([Fleets.Shard(0, "node-1", "node-2", "node-3")]);
        clock.Advance(TimeSpan.FromSeconds(1));
        fleet.ApplyShards([Fleets.Shard(0, "node-2", "node-3") with { Epoch = 8 }]);

        var shard = fleet.Current.Shard(0)!;
        shard.Epochs.Select(e => (e.Epoch, string.Join(",", e.Replicas))).ShouldBe([(7L, "node-1,node-2,node-3"), (8L, "node-2,node-3")]);
        shard.Load.Count.ShouldBe(3);
    }
}
