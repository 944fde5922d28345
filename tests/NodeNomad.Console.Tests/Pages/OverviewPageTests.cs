using Bunit;
using NodeNomad.Console.Components.Pages;
using NodeNomad.Contracts.Fleet;

namespace NodeNomad.Console.Tests.Pages;

public sealed class OverviewPageTests
{
    [Fact]
    public async Task the_overview_counts_nodes_and_shards_and_shows_the_load()
    {
        var clock = new ManualClock();
        await using var context = ConsoleComponents.Context(Fleets.ThreeNodes(clock));

        var cut = context.Render<Overview>();

        cut.Text("[data-testid='stat-nodes'] [data-testid='stat-value']").ShouldBe("3");
        cut.ById("stat-nodes").TextContent.ShouldContain("0 down");
        cut.Text("[data-testid='stat-shards'] [data-testid='stat-value']").ShouldBe("1");
        cut.ById("stat-load").TextContent.ShouldContain("30/s · 15/s");
        cut.FindAll("[data-testid='overview-node']").Select(n => n.GetAttribute("data-state")).ShouldBe(["up", "up", "up"]);
    }

    [Fact]
    public async Task a_node_that_goes_silent_turns_down_without_a_reload()
    {
        var clock = new ManualClock();
        var fleet = Fleets.ThreeNodes(clock);
        await using var context = ConsoleComponents.Context(fleet);
        var cut = context.Render<Overview>();

        clock.Advance(TimeSpan.FromSeconds(4));
        fleet.ReportStatus(Fleets.Report("node-1", clock.GetUtcNow(), role: "leader"));
        fleet.ReportStatus(Fleets.Report("node-2", clock.GetUtcNow()));
        fleet.Tick();

        cut.WaitForAssertion(() =>
        {
            cut.Find("[data-testid='overview-node'][data-node='node-3']").GetAttribute("data-state").ShouldBe("down");
            cut.Text("[data-testid='stat-nodes'] [data-testid='stat-value']").ShouldBe("2");
            cut.ById("stat-shards").TextContent.ShouldContain("1 under-replicated");
            cut.Find("[data-testid='event']").GetAttribute("data-kind").ShouldBe(FleetEventKinds.NodeUnreachable);
        });
    }

    [Fact]
    public async Task an_event_shows_in_recent_events_when_it_arrives()
    {
        var clock = new ManualClock();
        var fleet = Fleets.ThreeNodes(clock);
        await using var context = ConsoleComponents.Context(fleet);
        var cut = context.Render<Overview>();

        fleet.ReportEvent(Fleets.Event(FleetEventKinds.LeaderChanged, "node-2", clock.GetUtcNow(), "node-2 leads shard 0 in term 4"));

        cut.WaitForAssertion(() => cut.ById("event-feed").TextContent.ShouldContain("node-2 leads shard 0 in term 4"));
    }
}
