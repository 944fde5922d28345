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
}
