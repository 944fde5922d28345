using System.Net;
using Bunit;
using Microsoft.AspNetCore.Components;
using Microsoft.Extensions.DependencyInjection;
using MudBlazor;
using NodeNomad.Console.Components.Pages;
using NodeNomad.Contracts;

namespace NodeNomad.Console.Tests.Pages;

public sealed class MigrationsPageTests
{
    private static readonly TimeSpan Refresh = TimeSpan.FromSeconds(5);
    private readonly ManualClock _clock = new();

    [Fact]
    public async Task scheduling_a_move_asks_the_cluster_to_move_the_chosen_shard_to_the_chosen_target()
    {
        var node = new FakeNodeNomadApi();
        await using var context = Moves.Context(_clock, Moves.FourNodes(_clock), node);
        var popovers = context.Render<MudPopoverProvider>();
        var cut = context.Render<Migrations>();
        cut.ById("migrate-submit").HasAttribute("disabled").ShouldBeTrue("nothing is chosen yet");

        cut.Choose(popovers, "migrate-shard", "shard-0");
        cut.Choose(popovers, "migrate-target", "node-4");
        cut.ById("migrate-submit").Click();

        cut.WaitForAssertion(() => node.Calls.ShouldContain("migrate 0 to node-4 from "));
        cut.WaitForAssertion(() => cut.ById("migrate-scheduled").GetAttribute("data-migration").ShouldBe("m-1"));
        cut.Find("[data-testid='migration-row'][data-id='m-1']").TextContent.ShouldContain("adding-learner");
    }

    [Fact]
    public async Task the_target_list_offers_only_the_nodes_not_holding_the_shard_and_a_named_source_is_sent()
    {
        var node = new FakeNodeNomadApi();
        await using var context = Moves.Context(_clock, Moves.FourNodes(_clock), node);
        var popovers = context.Render<MudPopoverProvider>();
        var cut = context.Render<Migrations>();

        cut.Choose(popovers, "migrate-shard", "shard-0");
        cut.ById("migrate-target").Closest(".mud-input-control")!.MouseDown();
        popovers.WaitForAssertion(() => popovers.FindAll(".mud-popover-open .mud-list-item").Select(i => i.TextContent.Trim()).ShouldBe(["node-4"]));
        popovers.Find(".mud-popover-open .mud-list-item").Click();
        cut.Choose(popovers, "migrate-source", "node-3 (follower)");
        cut.ById("migrate-submit").Click();

        cut.WaitForAssertion(() => node.Calls.ShouldContain("migrate 0 to node-4 from node-3"));
    }

    [Fact]
    public async Task a_refused_move_shows_the_clusters_reason_beside_the_form()
    {
        var node = new FakeNodeNomadApi { MigrateRefusal = (HttpStatusCode.Conflict, "shard-0 is already moving: m-9 (node-2 to node-4, catching-up).") };
        await using var context = Moves.Context(_clock, Moves.FourNodes(_clock), node);
        context.Services.GetRequiredService<NavigationManager>().NavigateTo("/migrations?shard=0&target=node-4");
        var cut = context.Render<Migrations>();

        cut.ById("migrate-submit").Click();

        cut.WaitForAssertion(() => cut.ById("migrate-refusal").TextContent.ShouldContain("shard-0 is already moving: m-9 (node-2 to node-4, catching-up)."));
        node.Calls.ShouldContain("migrate 0 to node-4 from ");
        cut.FindAll("[data-testid='migrate-scheduled']").ShouldBeEmpty();
        cut.ById("migrate-submit").HasAttribute("disabled").ShouldBeFalse("the form stays usable to try again");
    }

    [Fact]
    public async Task cancelling_asks_for_confirmation_before_it_asks_the_cluster()
    {
        var node = new FakeNodeNomadApi();
        node.Migrations.Add(Moves.Move("m-1", MigrationStates.CatchingUp, _clock.GetUtcNow()));
        await using var context = Moves.Context(_clock, Moves.FourNodes(_clock), node);
        var dialogs = context.Render<MudDialogProvider>();
        var cut = context.Render<Migrations>();
        var cancel = () => cut.Find("[data-testid='migration-row'][data-id='m-1'] [data-testid='cancel-migration']");

        cancel().Click();
        dialogs.WaitForAssertion(() => dialogs.Find(".mud-dialog").TextContent.ShouldContain("Stop moving shard-0 from node-2 to node-4"));
        dialogs.DialogButton("Keep moving").Click();

        dialogs.WaitForAssertion(() => dialogs.FindAll(".mud-dialog").ShouldBeEmpty());
        node.Calls.ShouldNotContain("cancel m-1");

        cancel().Click();
        dialogs.WaitForAssertion(() => dialogs.DialogButton("Cancel move").Click());

        cut.WaitForAssertion(() => node.Calls.ShouldContain("cancel m-1"));
        cut.WaitForAssertion(() => cut.Find("[data-testid='migration-row'][data-id='m-1'] [data-testid='cancel-requested']").ShouldNotBeNull());
        cancel().HasAttribute("disabled").ShouldBeTrue("a cancel is asked for once");
    }

    [Fact]
    public async Task a_cancel_that_arrives_past_the_swap_shows_the_clusters_reason()
    {
        var node = new FakeNodeNomadApi { CancelRefusal = (HttpStatusCode.Conflict, "m-1 is swapping: past the swap a migration completes.") };
        node.Migrations.Add(Moves.Move("m-1", MigrationStates.CatchingUp, _clock.GetUtcNow()));
        await using var context = Moves.Context(_clock, Moves.FourNodes(_clock), node);
        var dialogs = context.Render<MudDialogProvider>();
        var cut = context.Render<Migrations>();

        cut.Find("[data-testid='migration-row'][data-id='m-1'] [data-testid='cancel-migration']").Click();
        dialogs.WaitForAssertion(() => dialogs.DialogButton("Cancel move").Click());

        cut.WaitForAssertion(() => cut.ById("migrate-refusal").TextContent.ShouldContain("m-1 is swapping: past the swap a migration completes."));
    }

    [Fact]
    public async Task cancel_is_offered_only_until_the_swap_and_only_once()
    {
        var node = new FakeNodeNomadApi();
        var now = _clock.GetUtcNow();
        node.Migrations.AddRange([
            Moves.Move("m-3", MigrationStates.Swapping, now),
            Moves.Move("m-2", MigrationStates.CatchingUp, now, shard: "shard-1", cancelRequested: true),
            Moves.Move("m-1", MigrationStates.SendingSnapshot, now, shard: "shard-2"),
        ]);
        await using var context = Moves.Context(_clock, Moves.FourNodes(_clock), node);

        var cut = context.Render<Migrations>();

        bool Disabled(string id) => cut.Find($"[data-testid='migration-row'][data-id='{id}'] [data-testid='cancel-migration']").HasAttribute("disabled");
        Disabled("m-3").ShouldBeTrue("past the swap the move completes");
        Disabled("m-2").ShouldBeTrue("a cancel was asked for already");
        Disabled("m-1").ShouldBeFalse();
    }

    [Fact]
    public async Task a_move_in_flight_shows_its_step_the_lag_closing_its_eta_and_elapsed_time()
    {
        var node = new FakeNodeNomadApi();
        node.Migrations.Add(Moves.Move("m-1", MigrationStates.CatchingUp, _clock.GetUtcNow().AddSeconds(-65),
            progress: new MigrationProgress("node-1", LagEntries: 250, TargetMatchIndex: 750, CommitIndex: 1000, "replicate", EntriesPerSecond: 20, EtaSeconds: 12.4)));
        await using var context = Moves.Context(_clock, Moves.FourNodes(_clock), node);

        var cut = context.Render<Migrations>();

        var row = cut.Find("[data-testid='migration-row'][data-id='m-1']");
        row.QuerySelector("[data-testid='migration-state']")!.TextContent.Trim().ShouldBe("catching-up");
        row.TextContent.ShouldContain("step 4 of 7");
        row.QuerySelector("[data-testid='migration-progress']")!.GetAttribute("aria-valuenow").ShouldBe("75");
        row.TextContent.ShouldContain("lag 250 entries (replicate, 20/s)");
        row.QuerySelector("[data-testid='migration-eta']")!.TextContent.Trim().ShouldBe("~13s");
        row.TextContent.ShouldContain("1m 5s");
    }

    [Fact]
    public async Task a_move_sending_its_snapshot_shows_the_bytes_sent_their_speed_and_the_time_left_for_them()
    {
        var node = new FakeNodeNomadApi();
        node.Migrations.Add(Moves.Move("m-1", MigrationStates.SendingSnapshot, _clock.GetUtcNow().AddSeconds(-5),
            progress: new MigrationProgress("node-1", LagEntries: 900, TargetMatchIndex: 0, CommitIndex: 900, "snapshot", EntriesPerSecond: null, EtaSeconds: null)
            {
                SnapshotBytesSent = 128L * 1024 * 1024,
                SnapshotBytesTotal = 512L * 1024 * 1024,
                SnapshotBytesPerSecond = 64 * 1024 * 1024,
                SnapshotResumedFrom = 32L * 1024 * 1024,
                SnapshotState = "sending",
            }));
        await using var context = Moves.Context(_clock, Moves.FourNodes(_clock), node);

        var cut = context.Render<Migrations>();

        var row = cut.Find("[data-testid='migration-row'][data-id='m-1']");
        row.QuerySelector("[data-testid='migration-progress']")!.GetAttribute("aria-valuenow").ShouldBe("25", "a quarter of the snapshot's bytes are across");
        row.TextContent.ShouldContain("snapshot sending: 128 MiB of 512 MiB at 64 MiB/s, resumed at 32 MiB");
        row.QuerySelector("[data-testid='migration-eta']")!.TextContent.Trim().ShouldBe("~6s", "384 MiB left at 64 MiB/s");
    }

    [Fact]
    public async Task the_history_shows_each_ended_moves_outcome_reason_requester_and_error()
    {
        var node = new FakeNodeNomadApi();
        var now = _clock.GetUtcNow();
        node.Migrations.AddRange([
            Moves.Move("m-4", MigrationStates.RolledBack, now, error: "node-4 went down while catching up", reason: "rebalance", requestedBy: "placement"),
            Moves.Move("m-3", MigrationStates.Failed, now, error: "the swap kept failing"),
            Moves.Move("m-2", MigrationStates.Cancelled, now, cancelRequested: true),
            Moves.Move("m-1", MigrationStates.Done, now, reason: "drain", requestedBy: "operator"),
        ]);
        await using var context = Moves.Context(_clock, Moves.FourNodes(_clock), node);

        var cut = context.Render<Migrations>();

        cut.FindAll("[data-testid='history-row']").Select(r => (r.GetAttribute("data-id"), r.QuerySelector("[data-testid='history-outcome']")!.TextContent.Trim()))
            .ShouldBe([("m-4", "rolled-back"), ("m-3", "failed"), ("m-2", "cancelled"), ("m-1", "done")]);
        var rolledBack = cut.Find("[data-testid='history-row'][data-id='m-4']");
        rolledBack.TextContent.ShouldContain("rebalance");
        rolledBack.TextContent.ShouldContain("placement");
        rolledBack.TextContent.ShouldContain("7.0s");
        rolledBack.QuerySelector("[data-testid='history-error']")!.TextContent.ShouldBe("node-4 went down while catching up");
        cut.Find("[data-testid='history-row'][data-id='m-1']").TextContent.ShouldContain("drain");
        cut.Find("[data-testid='history-row'][data-id='m-1'] [data-testid='history-error']").TextContent.ShouldBe("–");
        cut.FindAll("[data-testid='migration-row']").ShouldBeEmpty();
    }

    [Fact]
    public async Task a_move_that_ends_moves_from_in_flight_to_the_history_without_a_reload()
    {
        var node = new FakeNodeNomadApi();
        node.Migrations.Add(Moves.Move("m-1", MigrationStates.CatchingUp, _clock.GetUtcNow()));
        await using var context = Moves.Context(_clock, Moves.FourNodes(_clock), node);
        var cut = context.Render<Migrations>();
        cut.FindAll("[data-testid='migration-row']").Count.ShouldBe(1);

        node.Migrations[0] = node.Migrations[0] with { State = MigrationStates.Done };

        cut.WaitForAssertion(() => cut.Find("[data-testid='history-row'][data-id='m-1']").GetAttribute("data-state").ShouldBe("done"), Refresh);
        cut.FindAll("[data-testid='migration-row']").ShouldBeEmpty();
    }
}
