using Bunit;
using Microsoft.AspNetCore.Components;
using Microsoft.Extensions.DependencyInjection;
using MudBlazor;
using NodeNomad.Console.Components.Pages;
using NodeNomad.Contracts;

namespace NodeNomad.Console.Tests.Pages;

public sealed class MigrationsOnTheShardsAndNodePagesTests
{
    private readonly ManualClock _clock = new();

    private static ShardInfo Moving(int id) =>
        Fleets.Shard(id, "node-1", "node-2", "node-3") is var shard
            ? shard with { Replicas = [.. shard.Replicas, new ReplicaInfo("node-4", ReplicaRoles.Learner)], MigrationId = "m-7" }
            : shard;

    [Fact]
    public async Task a_learner_and_the_move_in_flight_are_marked_on_the_shards_page()
    {
        await using var context = Moves.Context(_clock, Moves.FourNodes(_clock, Moving(0), Fleets.Shard(1, "node-2", "node-3", "node-4")), new FakeNodeNomadApi());

        var cut = context.Render<Shards>();

        var moving = cut.Find("[data-testid='shard-moves-row'][data-shard='0']");
        moving.QuerySelectorAll("[data-testid='learner']").Select(l => l.GetAttribute("data-node")).ShouldBe(["node-4"]);
        moving.QuerySelector("[data-testid='shard-moving']")!.GetAttribute("data-migration").ShouldBe("m-7");
        cut.Find("[data-testid='shard-row'][data-shard='0'] [data-testid='matrix-cell'][data-node='node-4']").GetAttribute("data-role").ShouldBe(ReplicaRoles.Learner);
        var still = cut.Find("[data-testid='shard-moves-row'][data-shard='1']");
        still.QuerySelectorAll("[data-testid='learner']").ShouldBeEmpty();
        still.QuerySelectorAll("[data-testid='shard-moving']").ShouldBeEmpty();
    }

    [Fact]
    public async Task move_opens_the_migrations_page_for_that_shard_unless_it_is_moving_already()
    {
        await using var context = Moves.Context(_clock, Moves.FourNodes(_clock, Moving(0), Fleets.Shard(1, "node-2", "node-3", "node-4")), new FakeNodeNomadApi());

        var cut = context.Render<Shards>();

        var move = cut.Find("[data-testid='shard-moves-row'][data-shard='1'] [data-testid='shard-move']");
        move.GetAttribute("href").ShouldBe("/migrations?shard=1");
        var blocked = cut.Find("[data-testid='shard-moves-row'][data-shard='0'] [data-testid='shard-move']");
        (blocked.HasAttribute("disabled") || blocked.GetAttribute("aria-disabled") == "true" || blocked.GetAttribute("href") is null).ShouldBeTrue(blocked.OuterHtml);
    }

    [Fact]
    public async Task transfer_leadership_hands_the_shard_to_the_chosen_voter()
    {
        var node = new FakeNodeNomadApi();
        await using var context = Moves.Context(_clock, Moves.FourNodes(_clock, Moving(0)), node);
        var popovers = context.Render<MudPopoverProvider>();
        var dialogs = context.Render<MudDialogProvider>();
        var cut = context.Render<Shards>();

        cut.Find("[data-testid='shard-moves-row'][data-shard='0'] [data-testid='shard-transfer-leadership']").Click();
        dialogs.WaitForAssertion(() => dialogs.Find(".mud-dialog").TextContent.ShouldContain("node-1 leads it now."));
        dialogs.Find("[data-testid='leadership-node']").Closest(".mud-input-control")!.MouseDown();
        popovers.WaitForAssertion(() => popovers.FindAll(".mud-popover-open .mud-list-item").Select(i => i.TextContent.Trim()).ShouldBe(["node-2", "node-3"],
            "the leader and the learner cannot take over"));
        popovers.FindAll(".mud-popover-open .mud-list-item")[0].Click();
        dialogs.WaitForAssertion(() => dialogs.Find("[data-testid='leadership-submit']").HasAttribute("disabled").ShouldBeFalse());
        dialogs.Find("[data-testid='leadership-submit']").Click();

        dialogs.WaitForAssertion(() => node.Calls.ShouldContain("leadership 0 to node-2"));
        dialogs.WaitForAssertion(() => dialogs.FindAll(".mud-dialog").ShouldBeEmpty());
    }

    [Fact]
    public async Task a_node_offers_to_take_a_replica_and_to_lead_a_shard_it_follows()
    {
        var node = new FakeNodeNomadApi();
        await using var context = Moves.Context(_clock, Moves.FourNodes(_clock), node);
        var dialogs = context.Render<MudDialogProvider>();

        var cut = context.Render<NodeDetail>(p => p.Add(c => c.Id, "node-2"));

        cut.ById("move-replica-here").GetAttribute("href").ShouldBe("/migrations?target=node-2");
        cut.Find("[data-testid='group-row'][data-shard='0'] [data-testid='make-leader']").Click();
        dialogs.WaitForAssertion(() => dialogs.Find("[data-testid='leadership-submit']").HasAttribute("disabled").ShouldBeFalse("node-2 is chosen already"));
        dialogs.Find("[data-testid='leadership-submit']").Click();

        dialogs.WaitForAssertion(() => node.Calls.ShouldContain("leadership 0 to node-2"));
    }

    [Fact]
    public async Task the_leader_is_not_offered_to_lead()
    {
        await using var context = Moves.Context(_clock, Moves.FourNodes(_clock), new FakeNodeNomadApi());

        var cut = context.Render<NodeDetail>(p => p.Add(c => c.Id, "node-1"));

        cut.FindAll("[data-testid='make-leader']").ShouldBeEmpty();
    }

    [Fact]
    public async Task a_shards_page_moves_one_of_its_replicas_and_hands_its_leadership_over()
    {
        var node = new FakeNodeNomadApi();
        await using var context = Moves.Context(_clock, Moves.FourNodes(_clock), node);
        var popovers = context.Render<MudPopoverProvider>();
        var dialogs = context.Render<MudDialogProvider>();

        var cut = context.Render<ShardDetail>(p => p.Add(c => c.Id, 0));

        cut.ById("shard-detail-move").GetAttribute("href").ShouldBe("/migrations?shard=0");
        cut.Find("[data-testid='replica-row'][data-node='node-2'] [data-testid='replica-move-away']").GetAttribute("href").ShouldBe("/migrations?shard=0&source=node-2");
        cut.FindAll("[data-testid='replica-row'][data-node='node-1'] [data-testid='replica-make-leader']").ShouldBeEmpty("node-1 leads already");

        cut.ById("shard-detail-transfer-leadership").Click();
        dialogs.WaitForAssertion(() => dialogs.Find(".mud-dialog").TextContent.ShouldContain("node-1 leads it now."));
        dialogs.Find("[data-testid='leadership-node']").Closest(".mud-input-control")!.MouseDown();
        popovers.WaitForAssertion(() => popovers.FindAll(".mud-popover-open .mud-list-item").Select(i => i.TextContent.Trim()).ShouldBe(["node-2", "node-3"]));
        popovers.FindAll(".mud-popover-open .mud-list-item")[1].Click();
        dialogs.WaitForAssertion(() => dialogs.Find("[data-testid='leadership-submit']").HasAttribute("disabled").ShouldBeFalse());
        dialogs.Find("[data-testid='leadership-submit']").Click();
        dialogs.WaitForAssertion(() => node.Calls.ShouldContain("leadership 0 to node-3"));
        dialogs.WaitForAssertion(() => dialogs.FindAll(".mud-dialog").ShouldBeEmpty());

        cut.Find("[data-testid='replica-row'][data-node='node-2'] [data-testid='replica-make-leader']").Click();
        dialogs.WaitForAssertion(() => dialogs.Find("[data-testid='leadership-submit']").HasAttribute("disabled").ShouldBeFalse("node-2 is chosen already"));
        dialogs.Find("[data-testid='leadership-submit']").Click();
        dialogs.WaitForAssertion(() => node.Calls.ShouldContain("leadership 0 to node-2"));
    }

    [Fact]
    public async Task a_moving_shards_page_offers_no_second_move_and_its_learner_no_move_away()
    {
        await using var context = Moves.Context(_clock, Moves.FourNodes(_clock, Moving(0)), new FakeNodeNomadApi());

        var cut = context.Render<ShardDetail>(p => p.Add(c => c.Id, 0));

        Blocked(cut.ById("shard-detail-move")).ShouldBeTrue(cut.ById("shard-detail-move").OuterHtml);
        Blocked(cut.Find("[data-testid='replica-row'][data-node='node-2'] [data-testid='replica-move-away']")).ShouldBeTrue();
        cut.FindAll("[data-testid='replica-row'][data-node='node-4'] [data-testid='replica-move-away']").ShouldBeEmpty("a learner is not a source");
        cut.FindAll("[data-testid='replica-row'][data-node='node-4'] [data-testid='replica-make-leader']").ShouldBeEmpty("a learner cannot lead");
    }

    [Fact]
    public async Task a_node_offers_to_move_its_replica_of_a_shard_away()
    {
        await using var context = Moves.Context(_clock, Moves.FourNodes(_clock), new FakeNodeNomadApi());

        var cut = context.Render<NodeDetail>(p => p.Add(c => c.Id, "node-2"));

        cut.Find("[data-testid='group-row'][data-shard='0'] [data-testid='move-away']").GetAttribute("href").ShouldBe("/migrations?shard=0&source=node-2");
    }

    [Fact]
    public async Task the_migrations_page_takes_the_source_a_move_away_chose()
    {
        var node = new FakeNodeNomadApi();
        await using var context = Moves.Context(_clock, Moves.FourNodes(_clock), node);
        context.Services.GetRequiredService<NavigationManager>().NavigateTo("/migrations?shard=0&source=node-3&target=node-4");
        var cut = context.Render<Migrations>();

        cut.ById("migrate-submit").Click();

        cut.WaitForAssertion(() => node.Calls.ShouldContain("migrate 0 to node-4 from node-3"));
    }

    private static bool Blocked(AngleSharp.Dom.IElement action) =>
        action.HasAttribute("disabled") || action.GetAttribute("aria-disabled") == "true" || action.GetAttribute("href") is null;
}
