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
}
