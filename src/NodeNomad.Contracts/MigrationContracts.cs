using System.Text.Json;

namespace NodeNomad.Contracts;

/// <summary>
/// <c>POST /api/v1/cluster/migrate</c>: move a replica of <paramref name="ShardId"/> to <paramref name="TargetNodeId"/>.
/// </summary>
/// <param name="ShardId">The shard, as <c>"shard-N"</c> or the number <c>N</c>.</param>
/// <param name="TargetNodeId">The node that receives the replica; it must be up and hold none of the shard.</param>
/// <param name="SourceNodeId">The node that gives its replica up; when absent the cluster picks one (not the shard's leader, when it can).</param>
public sealed record MigrateRequest(JsonElement ShardId, string? TargetNodeId, string? SourceNodeId = null);

/// <summary><c>POST /api/v1/cluster/leadership</c>: make <paramref name="NodeId"/> lead <paramref name="ShardId"/>.</summary>
/// <param name="ShardId">The shard, as <c>"shard-N"</c> or <c>N</c>.</param>
/// <param name="NodeId">A node holding a voting replica of it.</param>
public sealed record LeadershipRequest(JsonElement ShardId, string? NodeId);

/// <summary>A shard's leader after a leadership transfer.</summary>
/// <param name="ShardId">The shard's number.</param>
/// <param name="Shard">The shard's name, <c>shard-N</c>.</param>
/// <param name="LeaderId">The node that leads it now.</param>
/// <param name="Term">Its Raft term.</param>
public sealed record LeadershipInfo(int ShardId, string Shard, string LeaderId, long Term);

/// <summary>One step a migration reached.</summary>
/// <param name="State">The state it entered.</param>
/// <param name="At">When.</param>
/// <param name="Detail">What the step saw.</param>
public sealed record MigrationStepInfo(string State, DateTimeOffset At, string? Detail);

/// <summary>How far a migration in flight has come, as the node leading its shard sees it now.</summary>
/// <param name="ReportedBy">The node that measured it (the shard's leader).</param>
/// <param name="LagEntries">How many committed entries the target still lacks.</param>
/// <param name="TargetMatchIndex">The last entry the target is known to hold.</param>
/// <param name="CommitIndex">The shard's commit index.</param>
/// <param name="ReplicationState">How the leader replicates to the target: probe, replicate or snapshot.</param>
/// <param name="EntriesPerSecond">How fast the lag is closing (entries per second, smoothed), when known.</param>
/// <param name="EtaSeconds">The time left at that pace until the target is caught up, when known.</param>
public sealed record MigrationProgress(
    string ReportedBy,
    long LagEntries,
    long TargetMatchIndex,
    long CommitIndex,
    string ReplicationState,
    double? EntriesPerSecond,
    double? EtaSeconds)
{
    /// <summary>Bytes of the shard's snapshot the target holds (sent whole, or so far), when the leader sent it one.</summary>
    public long? SnapshotBytesSent { get; init; }

    /// <summary>The snapshot's size in bytes, when the leader sent the target one.</summary>
    public long? SnapshotBytesTotal { get; init; }

    /// <summary>How fast the snapshot went (bytes per second), when known.</summary>
    public double? SnapshotBytesPerSecond { get; init; }

    /// <summary>Where the last send of the snapshot started: above 0 when it resumed a broken one.</summary>
    public long? SnapshotResumedFrom { get; init; }

    /// <summary>Whether that send is still running, or ended (true: sent whole; false: failed, and Raft sends again).</summary>
    public string? SnapshotState { get; init; }
}

/// <summary>A migration, in flight or ended, as <c>GET /api/v1/cluster/migrations</c> shows it.</summary>
/// <param name="Id">Its id.</param>
/// <param name="ShardId">The shard's number.</param>
/// <param name="Shard">The shard's name, <c>shard-N</c>.</param>
/// <param name="SourceNodeId">The node giving its replica up.</param>
/// <param name="TargetNodeId">The node receiving it.</param>
/// <param name="State">Where it stands (<see cref="MigrationStates"/>).</param>
/// <param name="Reason">manual, rebalance, join, drain or repair.</param>
/// <param name="RequestedBy">Who asked.</param>
/// <param name="CancelRequested">Whether a cancel was asked for.</param>
/// <param name="Error">Why it failed or was rolled back.</param>
/// <param name="CreatedAt">When it was accepted.</param>
/// <param name="UpdatedAt">When it last changed.</param>
/// <param name="Steps">Every state it entered, with times.</param>
/// <param name="Progress">Live progress while the learner catches up, when this node leads the shard (else null: ask the leader).</param>
public sealed record MigrationInfo(
    string Id,
    int ShardId,
    string Shard,
    string SourceNodeId,
    string TargetNodeId,
    string State,
    string Reason,
    string RequestedBy,
    bool CancelRequested,
    string? Error,
    DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt,
    IReadOnlyList<MigrationStepInfo> Steps,
    MigrationProgress? Progress);

/// <summary>What one node's replica of a shard holds, to compare replicas without shipping their contents.</summary>
/// <param name="NodeId">The node answering.</param>
/// <param name="ShardId">The shard's number.</param>
/// <param name="Role">The replica's role in the shard's group.</param>
/// <param name="AppliedIndex">The last log index applied to the state machine.</param>
/// <param name="Digest">A 64-bit hash (hex) of every key, value, version and expiry held: replicas that applied the same log agree.</param>
/// <param name="Keys">Keys held.</param>
/// <param name="Bytes">Bytes of keys and values held.</param>
public sealed record ReplicaDigest(string NodeId, int ShardId, string Role, long AppliedIndex, string Digest, long Keys, long Bytes);
