using AngleSharp.Dom;
using Bunit;
using Microsoft.Extensions.DependencyInjection;
using MudBlazor;
using NodeNomad.Console.Fleet;
using NodeNomad.Contracts;

namespace NodeNomad.Console.Tests;

/// <summary>Migrations and fleets for the migration tests: four nodes, shard 0 held by node-1 (leader), node-2 and node-3.</summary>
public static class Moves
{
    public static FleetState FourNodes(ManualClock clock, params ShardInfo[] shards)
    {
        var state = Fleets.ThreeNodes(clock);
        state.ReportStatus(Fleets.Report("node-4", clock.GetUtcNow()) with { Groups = [] });
        state.ApplyMembership([Fleets.Member("node-4") with { Replicas = [], Leaderships = [] }]);
        state.ApplyShards(shards.Length > 0 ? shards : [Fleets.Shard(0, "node-1", "node-2", "node-3")]);
        return state;
    }

    public static MigrationInfo Move(string id, string state, DateTimeOffset at, string shard = "shard-0", string source = "node-2", string target = "node-4",
        MigrationProgress? progress = null, string? error = null, bool cancelRequested = false, string reason = "manual", string requestedBy = "console") =>
        new(id, int.Parse(shard["shard-".Length..], System.Globalization.CultureInfo.InvariantCulture), shard, source, target, state, reason, requestedBy,
            cancelRequested, error, at, at.AddSeconds(7), [new MigrationStepInfo(MigrationStates.Pending, at, null), new MigrationStepInfo(state, at.AddSeconds(7), error)], progress);

    /// <summary>A bUnit context for the migration pages: the console's services and the clock.</summary>
    public static BunitContext Context(ManualClock clock, FleetState fleet, FakeNodeNomadApi node)
    {
        var context = ConsoleComponents.Context(fleet, node);
        context.Services.AddSingleton<TimeProvider>(clock);
        return context;
    }

    /// <summary>Opens the MudSelect whose input carries <paramref name="testId"/> and picks the item reading <paramref name="text"/>.</summary>
    public static void Choose<T>(this IRenderedComponent<T> cut, IRenderedComponent<MudPopoverProvider> popovers, string testId, string text)
        where T : Microsoft.AspNetCore.Components.IComponent
    {
        cut.ById(testId).Closest(".mud-input-control")!.MouseDown();
        popovers.WaitForAssertion(() => popovers.FindAll(".mud-popover-open .mud-list-item").Select(i => i.TextContent.Trim()).ShouldContain(text));
        popovers.FindAll(".mud-popover-open .mud-list-item").First(i => i.TextContent.Trim() == text).Click();
    }

    /// <summary>The button of the open dialog reading <paramref name="text"/>.</summary>
    public static IElement DialogButton(this IRenderedComponent<MudDialogProvider> dialogs, string text) =>
        dialogs.FindAll(".mud-dialog button").First(b => b.TextContent.Trim() == text);
}
