using Bunit;
using NodeNomad.Console.Components.Pages;

namespace NodeNomad.Console.Tests.Pages;

public sealed class NodeDetailPageTests
{
    [Fact]
    public async Task the_detail_shows_the_nodes_groups_load_storage_and_process()
    {
        var clock = new ManualClock();
        await using var context = ConsoleComponents.Context(Fleets.ThreeNodes(clock));

        var cut = context.Render<NodeDetail>(p => p.Add(c => c.Id, "node-1"));

        var group = cut.Find("[data-testid='group-row'][data-shard='0']").TextContent;
        group.ShouldContain("leader");
        group.ShouldContain("120");
        cut.ById("node-storage").TextContent.ShouldContain("1 MiB in 2 segments");
        cut.ById("node-process").TextContent.ShouldContain("Uptime 5m 0s");
        cut.ById("node-state").TextContent.Trim().ShouldBe("up");
    }

    [Fact]
    public async Task a_role_change_shows_live()
    {
        var clock = new ManualClock();
        var fleet = Fleets.ThreeNodes(clock);
        await using var context = ConsoleComponents.Context(fleet);
        var cut = context.Render<NodeDetail>(p => p.Add(c => c.Id, "node-2"));

        fleet.ReportStatus(Fleets.Report("node-2", clock.GetUtcNow(), role: "leader", leaderId: "node-2"));

        cut.WaitForAssertion(() => cut.Find("[data-testid='group-row']").TextContent.ShouldContain("leader"));
    }

    [Fact]
    public async Task an_unknown_node_is_said_to_be_unknown()
    {
        await using var context = ConsoleComponents.Context(Fleets.ThreeNodes(new ManualClock()));

        var cut = context.Render<NodeDetail>(p => p.Add(c => c.Id, "node-9"));

        cut.ById("node-unknown").TextContent.ShouldContain("No node node-9 is known.");
    }

    [Fact]
    public async Task a_down_node_says_its_figures_are_stale()
    {
        var clock = new ManualClock();
        var fleet = Fleets.ThreeNodes(clock);
        clock.Advance(TimeSpan.FromSeconds(10));
        fleet.ReportStatus(Fleets.Report("node-1", clock.GetUtcNow(), role: "leader"));
        fleet.Tick();
        await using var context = ConsoleComponents.Context(fleet);

        var cut = context.Render<NodeDetail>(p => p.Add(c => c.Id, "node-2"));

        var notice = cut.ById("stale-notice").TextContent;
        notice.ShouldContain("node-2 is down");
        notice.ShouldContain("stale");
        notice.ShouldContain("2026-11-26 12:00:00 UTC");
        notice.ShouldContain("10s ago");
        cut.ById("node-figures").ClassList.ShouldContain("stale");
        cut.ById("node-process").TextContent.ShouldContain("Uptime –");
    }

    [Fact]
    public async Task an_up_node_has_no_stale_notice()
    {
        await using var context = ConsoleComponents.Context(Fleets.ThreeNodes(new ManualClock()));

        var cut = context.Render<NodeDetail>(p => p.Add(c => c.Id, "node-1"));

        cut.FindAll("[data-testid='stale-notice']").ShouldBeEmpty();
    }
}
