using Bunit;
using NodeNomad.Console.Fleet;
using NodeNomad.Contracts;
using NodeNomad.Contracts.Fleet;

namespace NodeNomad.Console.Tests;

/// <summary>
/// Fleets for the membership tests: node-1 active, leading shards 0 and 1 and following shard 2; node-2 draining, still
/// leading shard 2; node-3 drained, holding nothing. Every node reports.
/// </summary>
public static class Memberships
{
    public const string Left = "1 replica(s) and 1 leadership(s) left; waiting: no node can take shard-2: 1 active node(s) are up for a replication factor of 3";

    public static IReadOnlyList<NodeInfo> Members { get; } =
    [
        Fleets.Member("node-1") with { Replicas = [0, 1, 2], Leaderships = [0, 1] },
        Fleets.Member("node-2") with { Replicas = [2], Leaderships = [2], Membership = NodeMemberships.Draining, Drain = Left },
        Fleets.Member("node-3") with { Replicas = [], Leaderships = [], Membership = NodeMemberships.Drained },
    ];

    public static FleetState Mixed(ManualClock clock)
    {
        var state = new FleetState(clock);
        var now = clock.GetUtcNow();
        state.ReportStatus(Fleets.Report("node-1", now) with { Groups = [Group(0, "leader"), Group(1, "leader"), Group(2, "follower")] });
        state.ReportStatus(Fleets.Report("node-2", now) with { Groups = [Group(2, "leader")] });
        state.ReportStatus(Fleets.Report("node-3", now) with { Groups = [] });
        state.ApplyMembership(Members);
        state.Tick();
        return state;
    }

    /// <summary>A fake node whose membership is <see cref="Members"/>, so the console's look after an action agrees with the fleet.</summary>
    public static FakeNodeNomadApi Api()
    {
        var node = new FakeNodeNomadApi();
        node.Nodes.Clear();
        node.Nodes.AddRange(Members);
        return node;
    }

    public static GroupStatusReport Group(int shardId, string role) => new(shardId, role, 3, null, 120, 120);

    /// <summary>The title (tooltip) of the action <paramref name="action"/> (drain-node, undrain-node, remove-node) of <paramref name="nodeId"/>.</summary>
    public static string? Tip<T>(this IRenderedComponent<T> cut, string nodeId, string action)
        where T : Microsoft.AspNetCore.Components.IComponent =>
        cut.Find($"[data-testid='membership-actions'][data-node='{nodeId}'] [data-testid='{action}-tip']").GetAttribute("title");

    /// <summary>The button of the action <paramref name="action"/> of <paramref name="nodeId"/>.</summary>
    public static AngleSharp.Dom.IElement Action<T>(this IRenderedComponent<T> cut, string nodeId, string action)
        where T : Microsoft.AspNetCore.Components.IComponent =>
        cut.Find($"[data-testid='membership-actions'][data-node='{nodeId}'] [data-testid='{action}']");
}
