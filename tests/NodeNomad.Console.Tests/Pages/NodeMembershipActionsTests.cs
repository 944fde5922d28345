using System.Net;
using Bunit;
using MudBlazor;
using NodeNomad.Console.Components.Pages;
using NodeNomad.Contracts;

namespace NodeNomad.Console.Tests.Pages;

public sealed class NodeMembershipActionsTests
{
    private readonly ManualClock _clock = new();

    [Fact]
    public async Task draining_asks_for_confirmation_saying_what_moves_and_then_asks_the_cluster()
    {
        var node = Memberships.Api();
        await using var context = ConsoleComponents.Context(Memberships.Mixed(_clock), node);
        var dialogs = context.Render<MudDialogProvider>();
        var cut = context.Render<Nodes>();

        cut.Action("node-1", "drain-node").Click();

        dialogs.WaitForAssertion(() => dialogs.Find(".mud-dialog").TextContent.ShouldContain("Drain node-1?"));
        dialogs.Find(".mud-dialog").TextContent.ShouldContain("Its 2 leaderships and 3 replicas move to other nodes");
        node.Calls.ShouldNotContain("drain node-1", "nothing is sent before the operator confirms");
        dialogs.DialogButton("Drain node-1").Click();

        cut.WaitForAssertion(() => node.Calls.ShouldContain("drain node-1"));
        cut.WaitForAssertion(() => cut.ById("membership-answer").TextContent.ShouldContain("node-1 is draining: node-1 hands its leaderships and then its replicas to other nodes."));
        cut.WaitForAssertion(() => cut.Find("[data-testid='node-row'][data-node='node-1']").GetAttribute("data-membership")
            .ShouldBe(NodeMemberships.Draining, "the console looks at the membership again at once"));
    }

    [Theory]
    [InlineData("node-1", "drain-node", "drain node-1")]
    [InlineData("node-2", "undrain-node", "undrain node-2")]
    [InlineData("node-3", "remove-node", "remove node-3")]
    public async Task cancelling_the_confirmation_sends_nothing(string nodeId, string action, string call)
    {
        var node = Memberships.Api();
        await using var context = ConsoleComponents.Context(Memberships.Mixed(_clock), node);
        var dialogs = context.Render<MudDialogProvider>();
        var cut = context.Render<Nodes>();

        cut.Action(nodeId, action).Click();
        dialogs.WaitForAssertion(() => dialogs.DialogButton("Cancel").Click());

        dialogs.WaitForAssertion(() => dialogs.FindAll(".mud-dialog").ShouldBeEmpty());
        node.Calls.ShouldNotContain(call);
        cut.FindAll("[data-testid='membership-answer'], [data-testid='membership-refusal']").ShouldBeEmpty();
    }

    [Theory]
    [InlineData("node-2", "undrain-node", "Undrain node-2?", "Its drain stops: nothing more moves off it", "Undrain node-2", "undrain node-2", "node-2 is active")]
    [InlineData("node-3", "remove-node", "Remove node-3?", "it may not join again under the name node-3", "Remove node-3", "remove node-3", "node-3 is removed")]
    public async Task undraining_and_removing_say_what_happens_and_ask_the_cluster_once_confirmed(
        string nodeId, string action, string title, string prompt, string confirm, string call, string answer)
    {
        var node = Memberships.Api();
        await using var context = ConsoleComponents.Context(Memberships.Mixed(_clock), node);
        var dialogs = context.Render<MudDialogProvider>();
        var cut = context.Render<Nodes>();

        cut.Action(nodeId, action).Click();
        dialogs.WaitForAssertion(() => dialogs.Find(".mud-dialog").TextContent.ShouldContain(title));
        dialogs.Find(".mud-dialog").TextContent.ShouldContain(prompt);
        dialogs.DialogButton(confirm).Click();

        cut.WaitForAssertion(() => node.Calls.ShouldContain(call));
        cut.WaitForAssertion(() => cut.ById("membership-answer").TextContent.ShouldContain(answer));
    }

    [Fact]
    public async Task a_refused_action_shows_the_clusters_reason_and_the_actions_stay_usable()
    {
        var node = Memberships.Api();
        node.MembershipRefusal = (HttpStatusCode.Conflict, "node-2 is up and still holds replicas of shard-2: drain it first.");
        await using var context = ConsoleComponents.Context(Memberships.Mixed(_clock), node);
        var dialogs = context.Render<MudDialogProvider>();
        var cut = context.Render<Nodes>();

        cut.Action("node-3", "remove-node").Click();
        dialogs.WaitForAssertion(() => dialogs.DialogButton("Remove node-3").Click());

        cut.WaitForAssertion(() => cut.ById("membership-refusal").TextContent.ShouldContain(
            "The cluster did not remove node-3: node-2 is up and still holds replicas of shard-2: drain it first."));
        cut.ById("membership-refusal").GetAttribute("data-node").ShouldBe("node-3");
        cut.FindAll("[data-testid='membership-answer']").ShouldBeEmpty();
        cut.Action("node-3", "remove-node").HasAttribute("disabled").ShouldBeFalse("the operator may try again");
        cut.Find("[data-testid='node-row'][data-node='node-3']").GetAttribute("data-membership").ShouldBe(NodeMemberships.Drained);
    }

    [Fact]
    public async Task an_unknown_node_refused_with_404_shows_the_reason()
    {
        var node = Memberships.Api();
        node.MembershipRefusal = (HttpStatusCode.NotFound, "No node node-1 is known; the nodes are node-2, node-3.");
        await using var context = ConsoleComponents.Context(Memberships.Mixed(_clock), node);
        var dialogs = context.Render<MudDialogProvider>();
        var cut = context.Render<Nodes>();

        cut.Action("node-1", "drain-node").Click();
        dialogs.WaitForAssertion(() => dialogs.DialogButton("Drain node-1").Click());

        cut.WaitForAssertion(() => cut.ById("membership-refusal").TextContent.ShouldContain("The cluster did not drain node-1: No node node-1 is known"));
    }

    [Fact]
    public async Task a_cluster_that_cannot_be_reached_is_said_on_the_page_not_thrown()
    {
        var node = Memberships.Api();
        node.MembershipUnreachable = true;
        await using var context = ConsoleComponents.Context(Memberships.Mixed(_clock), node);
        var dialogs = context.Render<MudDialogProvider>();
        var cut = context.Render<Nodes>();

        cut.Action("node-2", "undrain-node").Click();
        dialogs.WaitForAssertion(() => dialogs.DialogButton("Undrain node-2").Click());

        cut.WaitForAssertion(() => cut.ById("membership-refusal").TextContent.ShouldContain("The cluster did not undrain node-2: No configured node answered."));
        node.Calls.ShouldContain("undrain node-2");
    }

    [Fact]
    public async Task a_drain_taken_by_the_cluster_is_said_even_when_the_membership_cannot_be_read_again_at_once()
    {
        var node = Memberships.Api();
        node.NodesUnreachable = true;
        await using var context = ConsoleComponents.Context(Memberships.Mixed(_clock), node);
        var dialogs = context.Render<MudDialogProvider>();
        var cut = context.Render<Nodes>();

        cut.Action("node-1", "drain-node").Click();
        dialogs.WaitForAssertion(() => dialogs.DialogButton("Drain node-1").Click());

        cut.WaitForAssertion(() => cut.ById("membership-answer").TextContent.ShouldContain("node-1 is draining"));
        cut.FindAll("[data-testid='membership-refusal']").ShouldBeEmpty();
        cut.Action("node-1", "drain-node").HasAttribute("disabled").ShouldBeFalse("the poller, not the action, brings the new membership");
    }

    [Fact]
    public async Task the_nodes_own_page_drains_it_too()
    {
        var node = Memberships.Api();
        await using var context = ConsoleComponents.Context(Memberships.Mixed(_clock), node);
        var dialogs = context.Render<MudDialogProvider>();
        var cut = context.Render<NodeDetail>(p => p.Add(c => c.Id, "node-1"));

        cut.Action("node-1", "drain-node").Click();
        dialogs.WaitForAssertion(() => dialogs.Find(".mud-dialog").TextContent.ShouldContain("Its 2 leaderships and 3 replicas move to other nodes"));
        dialogs.DialogButton("Drain node-1").Click();

        cut.WaitForAssertion(() => node.Calls.ShouldContain("drain node-1"));
        cut.WaitForAssertion(() => cut.ById("membership-answer").TextContent.ShouldContain("node-1 is draining"));
        cut.WaitForAssertion(() => cut.ById("node-membership").GetAttribute("data-membership").ShouldBe(NodeMemberships.Draining));
    }

    [Fact]
    public async Task a_refusal_on_the_nodes_own_page_shows_the_reason()
    {
        var node = Memberships.Api();
        node.MembershipRefusal = (HttpStatusCode.Conflict, "node-2 is active, neither draining nor drained.");
        await using var context = ConsoleComponents.Context(Memberships.Mixed(_clock), node);
        var dialogs = context.Render<MudDialogProvider>();
        var cut = context.Render<NodeDetail>(p => p.Add(c => c.Id, "node-2"));

        cut.Action("node-2", "undrain-node").Click();
        dialogs.WaitForAssertion(() => dialogs.DialogButton("Undrain node-2").Click());

        cut.WaitForAssertion(() => cut.ById("membership-refusal").TextContent.ShouldContain("The cluster did not undrain node-2: node-2 is active, neither draining nor drained."));
    }
}
