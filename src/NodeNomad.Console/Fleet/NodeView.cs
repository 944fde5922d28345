using NodeNomad.Contracts;
using NodeNomad.Contracts.Fleet;

namespace NodeNomad.Console.Fleet;

/// <summary>A node as the console shows it: from its own reports when it sends them, else from the cluster's membership.</summary>
/// <param name="Id">The node id.</param>
/// <param name="ClientUrl">Where it serves the REST API, if known.</param>
/// <param name="State">up when it reported within <see cref="FleetState.SilenceLimit"/>; down when it went silent; else what the membership says.</param>
/// <param name="Replicas">Shards it holds a replica of.</param>
/// <param name="Leaderships">Shards it leads.</param>
/// <param name="Report">Its last report, or null if it never reported.</param>
/// <param name="ReportedAt">When the console received <paramref name="Report"/>.</param>
/// <param name="MetaRole">Its role in the meta group, or null when unknown.</param>
public sealed record NodeView(
    string Id,
    string ClientUrl,
    string State,
    IReadOnlyList<int> Replicas,
    IReadOnlyList<int> Leaderships,
    NodeStatusReport? Report,
    DateTimeOffset? ReportedAt,
    string? MetaRole = null)
{
    /// <summary>The console's state for a node known from the membership only, not yet heard from.</summary>
    public const string UnknownState = "unknown";

    /// <summary>Whether the node counts as up.</summary>
    public bool IsUp => State == NodeStates.Up;

    /// <summary>
    /// Whether <see cref="Report"/> is an old one: the node is not up, so its roles, load and uptime are what it said
    /// when it last reported, not what is true now.
    /// </summary>
    public bool IsStale => Report is not null && !IsUp;

    /// <summary>Its place in placement, as the cluster's membership says: active, draining, drained or removed.</summary>
    public string Membership { get; init; } = NodeMemberships.Active;

    /// <summary>For a draining node, what the cluster says it has left to hand over and why it waits; null otherwise.</summary>
    public string? Drain { get; init; }

    /// <summary>For a draining node, how far it has come; null otherwise.</summary>
    public DrainProgress? DrainProgress { get; init; }
}
