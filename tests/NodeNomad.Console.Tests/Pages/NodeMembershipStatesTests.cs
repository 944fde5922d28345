using Bunit;
using NodeNomad.Console.Components.Pages;
using NodeNomad.Console.Fleet;
using NodeNomad.Contracts;

namespace NodeNomad.Console.Tests.Pages;

public sealed class NodeMembershipStatesTests
{
    private readonly ManualClock _clock = new();

    [Fact]
    public async Task each_node_shows_its_membership()
    {
        await using var context = ConsoleComponents.Context(Memberships.Mixed(_clock));

        var cut = context.Render<Nodes>();

        cut.FindAll("[data-testid='node-row']").Select(r => (r.GetAttribute("data-node"), r.QuerySelector("[data-testid='node-membership']")!.TextContent.Trim()))
            .ShouldBe([("node-1", "active"), ("node-2", "draining"), ("node-3", "drained")]);
    }

    [Fact]
    public async Task an_active_node_holding_replicas_can_be_drained_but_not_undrained_or_removed()
    {
        await using var context = ConsoleComponents.Context(Memberships.Mixed(_clock));

        var cut = context.Render<Nodes>();

        cut.Action("node-1", "drain-node").HasAttribute("disabled").ShouldBeFalse();
        cut.Action("node-1", "undrain-node").HasAttribute("disabled").ShouldBeTrue();
        cut.Tip("node-1", "undrain-node").ShouldBe("node-1 is active: only a draining or drained node can be undrained.");
        cut.Action("node-1", "remove-node").HasAttribute("disabled").ShouldBeTrue();
        cut.Tip("node-1", "remove-node").ShouldBe("node-1 still holds replicas of shard-0, shard-1, shard-2: drain it first.");
    }

    [Fact]
    public async Task a_draining_node_can_be_undrained_but_not_drained_again_nor_removed_while_it_holds_replicas()
    {
        await using var context = ConsoleComponents.Context(Memberships.Mixed(_clock));

        var cut = context.Render<Nodes>();

        cut.Action("node-2", "drain-node").HasAttribute("disabled").ShouldBeTrue();
        cut.Tip("node-2", "drain-node").ShouldBe("node-2 is already draining.");
        cut.Action("node-2", "undrain-node").HasAttribute("disabled").ShouldBeFalse();
        cut.Action("node-2", "remove-node").HasAttribute("disabled").ShouldBeTrue();
        cut.Tip("node-2", "remove-node").ShouldBe("node-2 still holds replicas of shard-2: drain it first.");
    }

    [Fact]
    public async Task a_drained_node_can_be_undrained_or_removed_but_not_drained()
    {
        await using var context = ConsoleComponents.Context(Memberships.Mixed(_clock));

        var cut = context.Render<Nodes>();

        cut.Action("node-3", "drain-node").HasAttribute("disabled").ShouldBeTrue();
        cut.Tip("node-3", "drain-node").ShouldBe("node-3 is already drained: undrain it to bring it back, or remove it.");
        cut.Action("node-3", "undrain-node").HasAttribute("disabled").ShouldBeFalse();
        cut.Action("node-3", "remove-node").HasAttribute("disabled").ShouldBeFalse();
        cut.Tip("node-3", "remove-node").ShouldBe("Remove node-3: take it out of the cluster for good.");
    }

    [Fact]
    public async Task an_active_node_that_is_up_and_holds_nothing_must_be_drained_before_it_is_removed()
    {
        var fleet = Memberships.Mixed(_clock);
        fleet.ReportStatus(Fleets.Report("node-4", _clock.GetUtcNow()) with { Groups = [] });
        fleet.ApplyMembership([Fleets.Member("node-4") with { Replicas = [], Leaderships = [] }]);
        await using var context = ConsoleComponents.Context(fleet);

        var cut = context.Render<Nodes>();

        cut.Action("node-4", "remove-node").HasAttribute("disabled").ShouldBeTrue();
        cut.Tip("node-4", "remove-node").ShouldBe("node-4 is active and up: drain it first, so it takes no new replicas.");
    }

    [Fact]
    public async Task a_down_node_can_be_removed_once_its_replicas_are_re_created_elsewhere()
    {
        var fleet = Memberships.Mixed(_clock);
        fleet.ReportStatus(Fleets.Report("node-4", _clock.GetUtcNow()));
        fleet.ApplyMembership([Fleets.Member("node-4", state: NodeStates.Down) with { Replicas = [0], Leaderships = [] }]);
        _clock.Advance(FleetState.SilenceLimit + TimeSpan.FromSeconds(1));
        foreach (var id in new[] { "node-1", "node-2", "node-3" })
        {
            fleet.ReportStatus(Fleets.Report(id, _clock.GetUtcNow()) with { Groups = [] });
        }

        fleet.Tick();
        await using var context = ConsoleComponents.Context(fleet);
        var cut = context.Render<Nodes>();

        cut.Find("[data-testid='node-row'][data-node='node-4'] [data-testid='node-state']").GetAttribute("data-state").ShouldBe(NodeStates.Down);
        cut.Action("node-4", "remove-node").HasAttribute("disabled").ShouldBeTrue();
        cut.Tip("node-4", "remove-node").ShouldBe(
            "node-4 is down and still holds replicas of shard-0; they are re-created elsewhere once it has been down for DOWN_AFTER. Remove it when it holds none.");

        fleet.ApplyMembership([Fleets.Member("node-4", state: NodeStates.Down) with { Replicas = [], Leaderships = [] }]);

        cut.WaitForAssertion(() => cut.Action("node-4", "remove-node").HasAttribute("disabled").ShouldBeFalse());
    }

    [Fact]
    public async Task a_removed_node_offers_nothing_and_says_why()
    {
        var fleet = Memberships.Mixed(_clock);
        fleet.ApplyMembership([Memberships.Members[2] with { Membership = NodeMemberships.Removed }]);
        await using var context = ConsoleComponents.Context(fleet);

        var cut = context.Render<Nodes>();

        cut.Action("node-3", "drain-node").HasAttribute("disabled").ShouldBeTrue();
        cut.Tip("node-3", "drain-node").ShouldBe("node-3 was removed from the cluster.");
        cut.Action("node-3", "undrain-node").HasAttribute("disabled").ShouldBeTrue();
        cut.Tip("node-3", "undrain-node").ShouldBe("node-3 was removed from the cluster; it cannot come back under that name.");
        cut.Action("node-3", "remove-node").HasAttribute("disabled").ShouldBeTrue();
        cut.Tip("node-3", "remove-node").ShouldBe("node-3 was removed from the cluster already.");
    }

    [Fact]
    public async Task the_last_node_of_the_cluster_cannot_be_removed()
    {
        var fleet = new FleetState(_clock);
        fleet.ReportStatus(Fleets.Report("node-1", _clock.GetUtcNow()) with { Groups = [] });
        fleet.ApplyMembership([Fleets.Member("node-1") with { Replicas = [], Leaderships = [], Membership = NodeMemberships.Drained }]);
        await using var context = ConsoleComponents.Context(fleet);

        var cut = context.Render<Nodes>();

        cut.Action("node-1", "remove-node").HasAttribute("disabled").ShouldBeTrue();
        cut.Tip("node-1", "remove-node").ShouldBe("node-1 is the last node of the cluster.");
    }

    [Fact]
    public async Task a_draining_node_shows_what_it_has_left_and_why_it_waits_and_its_progress_live()
    {
        var fleet = Memberships.Mixed(_clock);
        await using var context = ConsoleComponents.Context(fleet);
        var cut = context.Render<Nodes>();
        var row = () => cut.Find("[data-testid='node-row'][data-node='node-2']");
        var drain = () => cut.Find("[data-testid='drain-row'][data-node='node-2']");

        drain().QuerySelector("[data-testid='drain-progress']")!.TextContent.Trim().ShouldBe($"node-2 is draining: {Memberships.Left}");
        drain().QuerySelector("[data-testid='drain-bar']")!.GetAttribute("aria-valuenow").ShouldBe("0");
        cut.FindAll("[data-testid='drain-row']").Count.ShouldBe(1, "only node-2 is draining");

        fleet.ApplyMembership([Memberships.Members[1] with { Leaderships = [], Drain = "1 replica(s) and 0 leadership(s) left" }]);

        cut.WaitForAssertion(() => drain().QuerySelector("[data-testid='drain-progress']")!.TextContent.Trim().ShouldBe("node-2 is draining: 1 replica(s) and 0 leadership(s) left"));
        drain().QuerySelector("[data-testid='drain-bar']")!.GetAttribute("aria-valuenow").ShouldBe("50", "one of the two it held is handed over");

        fleet.ReportStatus(Fleets.Report("node-2", _clock.GetUtcNow()) with { Groups = [] });
        fleet.ApplyMembership([Memberships.Members[1] with { Replicas = [], Leaderships = [], Membership = NodeMemberships.Drained, Drain = null }]);

        cut.WaitForAssertion(() => row().GetAttribute("data-membership").ShouldBe(NodeMemberships.Drained));
        cut.FindAll("[data-testid='drain-row']").ShouldBeEmpty();
        row().GetAttribute("data-replicas").ShouldBe("0");
        row().GetAttribute("data-leaderships").ShouldBe("0");
        cut.Action("node-2", "remove-node").HasAttribute("disabled").ShouldBeFalse();
    }

    [Fact]
    public async Task a_draining_nodes_own_page_says_what_it_has_left_and_a_drained_one_what_can_be_done()
    {
        var fleet = Memberships.Mixed(_clock);
        await using var context = ConsoleComponents.Context(fleet);

        var draining = context.Render<NodeDetail>(p => p.Add(c => c.Id, "node-2"));
        var drained = context.Render<NodeDetail>(p => p.Add(c => c.Id, "node-3"));
        var active = context.Render<NodeDetail>(p => p.Add(c => c.Id, "node-1"));

        draining.ById("drain-notice").TextContent.ShouldContain($"node-2 is draining: {Memberships.Left}.");
        draining.ById("node-membership").GetAttribute("data-membership").ShouldBe(NodeMemberships.Draining);
        drained.ById("drain-notice").TextContent.ShouldContain("node-3 is drained: it holds no replica and takes none. Undrain it to bring it back, or remove it.");
        active.FindAll("[data-testid='drain-notice']").ShouldBeEmpty();
    }
}
