using Bunit;
using NodeNomad.Console.Components.Pages;
using NodeNomad.Console.Fleet;

namespace NodeNomad.Console.Tests.Pages;

public sealed class NodesPageTests
{
    [Fact]
    public async Task each_node_shows_its_state_leaderships_load_storage_and_version()
    {
        var clock = new ManualClock();
        await using var context = ConsoleComponents.Context(Fleets.ThreeNodes(clock));

        var cut = context.Render<Nodes>();

        var leader = cut.Find("[data-testid='node-row'][data-node='node-1']").TextContent;
        leader.ShouldContain("up");
        leader.ShouldContain("10/s");
        leader.ShouldContain("2.5 ms");
        leader.ShouldContain("42 keys, 4 KiB");
        leader.ShouldContain("0.75 ms");
        leader.ShouldContain("0.1.0");
        cut.Find("[data-node='node-1'] a").GetAttribute("href").ShouldBe("/nodes/node-1");
        cut.FindAll("[data-testid='node-row']").Count.ShouldBe(3);
    }

    [Fact]
    public async Task a_node_known_only_from_the_membership_is_listed_with_the_membership_state()
    {
        var fleet = new FleetState(new ManualClock());
        fleet.ApplyMembership([Fleets.Member("node-7", state: "down")]);
        await using var context = ConsoleComponents.Context(fleet);

        var cut = context.Render<Nodes>();

        cut.Find("[data-node='node-7'] [data-testid='node-state']").GetAttribute("data-state").ShouldBe("down");
    }

    [Fact]
    public async Task a_node_that_reports_for_the_first_time_appears_live()
    {
        var clock = new ManualClock();
        var fleet = Fleets.ThreeNodes(clock);
        await using var context = ConsoleComponents.Context(fleet);
        var cut = context.Render<Nodes>();

        fleet.ReportStatus(Fleets.Report("node-4", clock.GetUtcNow()));

        cut.WaitForAssertion(() => cut.FindAll("[data-testid='node-row']").Count.ShouldBe(4));
    }

    [Fact]
    public async Task each_node_shows_its_meta_group_role()
    {
        var clock = new ManualClock();
        var fleet = new FleetState(clock);
        fleet.ReportStatus(Fleets.Report("node-1", clock.GetUtcNow()) with { MetaRole = "leader" });
        fleet.ApplyMembership([Fleets.Member("node-1"), Fleets.Member("node-2") with { MetaRole = "follower" }]);
        await using var context = ConsoleComponents.Context(fleet);

        var cut = context.Render<Nodes>();

        cut.Text("[data-node='node-1'] [data-testid='meta-role']").ShouldBe("leader");
        cut.Text("[data-node='node-2'] [data-testid='meta-role']").ShouldBe("follower");
    }

    [Fact]
    public async Task clicking_a_column_sorts_the_nodes_by_it()
    {
        var clock = new ManualClock();
        var fleet = new FleetState(clock);
        fleet.ReportStatus(Fleets.Report("node-1", clock.GetUtcNow(), reads: 5));
        fleet.ReportStatus(Fleets.Report("node-2", clock.GetUtcNow(), reads: 50));
        fleet.ReportStatus(Fleets.Report("node-3", clock.GetUtcNow(), reads: 1));
        await using var context = ConsoleComponents.Context(fleet);
        var cut = context.Render<Nodes>();
        string[] Order() => [.. cut.FindAll("[data-testid='node-row']").Select(r => r.GetAttribute("data-node")!)];

        cut.ById("sort-reads").Click();
        Order().ShouldBe(["node-3", "node-1", "node-2"]);
        cut.ById("sort-reads").Click();
        Order().ShouldBe(["node-2", "node-1", "node-3"]);
    }

    [Fact]
    public async Task a_down_nodes_figures_are_marked_stale()
    {
        var clock = new ManualClock();
        var fleet = Fleets.ThreeNodes(clock);
        clock.Advance(TimeSpan.FromSeconds(5));
        fleet.ReportStatus(Fleets.Report("node-1", clock.GetUtcNow()));
        fleet.Tick();
        await using var context = ConsoleComponents.Context(fleet);

        var cut = context.Render<Nodes>();

        cut.Find("[data-node='node-2']").GetAttribute("data-stale").ShouldBe("true");
        cut.Find("[data-node='node-1']").GetAttribute("data-stale").ShouldBe("false");
        cut.FindAll("[data-node='node-2'] td.stale").Count.ShouldBeGreaterThan(0);
    }
}
