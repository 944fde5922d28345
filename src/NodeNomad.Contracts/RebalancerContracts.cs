namespace NodeNomad.Contracts;

/// <summary>The load-based rebalancer's settings, as <c>GET /api/v1/cluster/rebalancer</c> answers them.</summary>
/// <param name="Enabled">Whether it moves anything by itself.</param>
/// <param name="IntervalSeconds">Seconds between rounds of decisions.</param>
/// <param name="Dimension">The load balanced: requests, reads, writes, bytes, keys or leaderships.</param>
/// <param name="Threshold">A node at this many times the mean (per unit of weight) or more is hot.</param>
/// <param name="Hysteresis">A hot node is balanced until it falls to this many times the mean.</param>
/// <param name="CooldownSeconds">Seconds a shard stays put after it moved.</param>
/// <param name="MaxConcurrentMoves">Moves in flight at once.</param>
/// <param name="SnapshotBandwidthMiB">Snapshot bandwidth of every node in MiB/s (0: none), or null for each node's own setting.</param>
/// <param name="Weights">Node weights that differ from the nodes' own.</param>
public sealed record RebalancerSettingsInfo(
    bool Enabled,
    int IntervalSeconds,
    string Dimension,
    double Threshold,
    double Hysteresis,
    int CooldownSeconds,
    int MaxConcurrentMoves,
    int? SnapshotBandwidthMiB,
    IReadOnlyDictionary<string, int> Weights);

/// <summary>
/// <c>PUT /api/v1/cluster/rebalancer</c>: the settings to change; a field left out (or null) keeps its value, except
/// <paramref name="SnapshotBandwidthMiB"/>, which <paramref name="ClearSnapshotBandwidth"/> resets to each node's own.
/// </summary>
/// <param name="Enabled">Whether it moves anything by itself.</param>
/// <param name="IntervalSeconds">Seconds between rounds, 1 to 3600.</param>
/// <param name="Dimension">requests, reads, writes, bytes, keys or leaderships.</param>
/// <param name="Threshold">Above 1, at most 10.</param>
/// <param name="Hysteresis">At least 1, below the threshold.</param>
/// <param name="CooldownSeconds">0 to 86400.</param>
/// <param name="MaxConcurrentMoves">1 to 64.</param>
/// <param name="SnapshotBandwidthMiB">0 (no limit) to 100000 MiB/s.</param>
/// <param name="ClearSnapshotBandwidth">Whether each node goes back to its own snapshot bandwidth.</param>
/// <param name="Weights">Node weights (1 to 1000) replacing the earlier ones.</param>
public sealed record RebalancerSettingsRequest(
    bool? Enabled = null,
    int? IntervalSeconds = null,
    string? Dimension = null,
    double? Threshold = null,
    double? Hysteresis = null,
    int? CooldownSeconds = null,
    int? MaxConcurrentMoves = null,
    int? SnapshotBandwidthMiB = null,
    bool? ClearSnapshotBandwidth = null,
    IReadOnlyDictionary<string, int>? Weights = null);

/// <summary>One node's load as the rebalancer sees it now (on the meta leader, smoothed).</summary>
/// <param name="NodeId">The node.</param>
/// <param name="Eligible">Whether it may receive load (active and up).</param>
/// <param name="Weight">Its weight.</param>
/// <param name="Load">Its load in the balanced dimension.</param>
/// <param name="Ratio">Its load per unit of weight over the mean (1: its share).</param>
/// <param name="ReadsPerSecond">Reads per second it serves.</param>
/// <param name="WritesPerSecond">Writes per second it commits.</param>
/// <param name="Bytes">Bytes of its replicas.</param>
/// <param name="Keys">Keys of its replicas.</param>
/// <param name="Leaderships">Shards it leads.</param>
public sealed record RebalancerNodeInfo(string NodeId, bool Eligible, int Weight, double Load, double Ratio, double ReadsPerSecond, double WritesPerSecond, long Bytes, long Keys, int Leaderships);

/// <summary><c>GET /api/v1/cluster/rebalancer</c>: the settings, and each node's load as the meta leader's rebalancer sees it.</summary>
/// <param name="Settings">The settings in force.</param>
/// <param name="IsDefault">Whether they were never set (the defaults apply).</param>
/// <param name="AnsweredBy">The node that answered (the meta leader, when it could be reached).</param>
/// <param name="Nodes">Every node's load; empty until the meta leader has figures.</param>
public sealed record RebalancerInfo(RebalancerSettingsInfo Settings, bool IsDefault, string AnsweredBy, IReadOnlyList<RebalancerNodeInfo> Nodes);

/// <summary>A node's load as a decision saw it.</summary>
/// <param name="NodeId">The node.</param>
/// <param name="Load">Its load in the decision's dimension.</param>
/// <param name="Weight">Its weight.</param>
/// <param name="Ratio">Its load per unit of weight over the mean.</param>
public sealed record RebalancerFigureInfo(string NodeId, double Load, int Weight, double Ratio);

/// <summary>One decision of the rebalancer, with its reason and figures.</summary>
/// <param name="Id">The decision's id.</param>
/// <param name="At">When it was taken (the last time, for a repeated one).</param>
/// <param name="Action">leadership, replica, hold or settled.</param>
/// <param name="Dimension">The load balanced.</param>
/// <param name="ShardId">The shard moved, for a move.</param>
/// <param name="Shard">The shard's name, for a move.</param>
/// <param name="SourceNodeId">The node the move relieves.</param>
/// <param name="TargetNodeId">The node it moves to.</param>
/// <param name="Reason">The decision in a sentence.</param>
/// <param name="Figures">Every eligible node's load as it saw it.</param>
/// <param name="Rejected">Moves considered and not made, each with why.</param>
/// <param name="Repeats">How many rounds in a row took this same decision.</param>
/// <param name="MigrationId">The migration a replica move started.</param>
public sealed record RebalancerDecisionInfo(
    string Id,
    DateTimeOffset At,
    string Action,
    string Dimension,
    int? ShardId,
    string? Shard,
    string? SourceNodeId,
    string? TargetNodeId,
    string Reason,
    IReadOnlyList<RebalancerFigureInfo> Figures,
    IReadOnlyList<string> Rejected,
    int Repeats,
    string? MigrationId);
