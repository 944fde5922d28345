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
        fleet.Current.Events.Select(e => (e.Kind, e.Subject)).ShouldContain((FleetEventKinds.NodeJoined, "node-2"));
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

        fleet.Current.Load.ShouldBe(new LoadSample(clock.GetUtcNow(), 15, 3, 7));
    }

    [Fact]
    public void the_history_keeps_the_last_minute()
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
}
