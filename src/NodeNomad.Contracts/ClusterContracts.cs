namespace NodeNomad.Contracts;

/// <summary>Body of <c>GET /api/v1/cluster/info</c>.</summary>
/// <param name="ClusterId">The cluster's identity, fixed when it was first started.</param>
/// <param name="NodeId">The node that answered.</param>
/// <param name="Version">The NodeNomad version of the node that answered.</param>
/// <param name="ShardCount">Number of shards the key space is cut into.</param>
/// <param name="ReplicationFactor">Replicas per shard in effect.</param>
/// <param name="MetaLeaderId">The node leading the meta group (the group that holds the cluster map), or null when there is none.</param>
/// <param name="Health">healthy, degraded or unavailable.</param>
/// <param name="Warnings">Conditions an operator should know about.</param>
/// <param name="MetaTerm">The meta group's term as the answering node knows it.</param>
/// <remarks>Each shard's leader and term are in <c>cluster/shards</c>; no shard stands for the cluster here.</remarks>
public sealed record ClusterInfo(
    string ClusterId,
    string NodeId,
    string Version,
    int ShardCount,
    int ReplicationFactor,
    string? MetaLeaderId,
    string Health,
    IReadOnlyList<string> Warnings,
    long MetaTerm = 0);

/// <summary>One item of <c>GET /api/v1/cluster/nodes</c>.</summary>
/// <param name="Id">The node id.</param>
/// <param name="ClientUrl">Where the node serves the REST API.</param>
/// <param name="State">up, suspect, down, draining or removed.</param>
/// <param name="Replicas">Shards this node holds a replica of.</param>
/// <param name="Leaderships">Shards this node leads.</param>
/// <param name="Version">The node's NodeNomad version.</param>
/// <param name="StartedAt">When the node's process started (null when the node did not answer).</param>
/// <param name="MetaRole">The node's role in the meta group: leader, follower, learner, candidate or pre-candidate; null when the node did not answer.</param>
/// <param name="MetaTerm">The node's term in the meta group.</param>
/// <param name="MetaCommitIndex">The node's commit index of the meta group's log.</param>
/// <param name="MetaAppliedIndex">The node's applied index of the meta group's log.</param>
/// <param name="PeerAddress">Where the node's peer port listens (<c>host:port</c>), as the cluster map records it.</param>
/// <param name="ReadsPerSecond">Recent reads per second its shard replicas served.</param>
/// <param name="WritesPerSecond">Recent writes per second its shard replicas committed as leaders.</param>
/// <param name="Weight">The node's placement weight.</param>
public sealed record NodeInfo(
    string Id,
    string ClientUrl,
    string State,
    IReadOnlyList<int> Replicas,
    IReadOnlyList<int> Leaderships,
    string Version,
    DateTimeOffset? StartedAt,
    string? MetaRole = null,
    long MetaTerm = 0,
    long MetaCommitIndex = 0,
    long MetaAppliedIndex = 0,
    string? PeerAddress = null,
    double ReadsPerSecond = 0,
    double WritesPerSecond = 0,
    int Weight = 1)
{
    /// <summary>The node's place in placement: active, draining, drained or removed.</summary>
    public string Membership { get; init; } = "active";

    /// <summary>
    /// For a node that is draining: what is left to hand over, and why it waits when it cannot finish ("waiting: no node
    /// can take shard-0 …"); null otherwise.
    /// </summary>
    public string? Drain { get; init; }
}

/// <summary>Body of the answers to <c>POST /api/v1/cluster/nodes/{id}/drain</c>, <c>…/undrain</c> and <c>DELETE /api/v1/cluster/nodes/{id}</c>.</summary>
/// <param name="NodeId">The node.</param>
/// <param name="Membership">Its membership now: draining, active or removed.</param>
/// <param name="Detail">What happens next.</param>
public sealed record NodeMembershipInfo(string NodeId, string Membership, string Detail);

/// <summary>A shard replica and its role.</summary>
/// <param name="NodeId">The node holding the replica.</param>
/// <param name="Role">leader, follower or learner.</param>
public sealed record ReplicaInfo(string NodeId, string Role);

/// <summary>One item of <c>GET /api/v1/cluster/shards</c>.</summary>
/// <param name="Id">The shard id.</param>
/// <param name="RangeStart">First hash position the shard owns, 16 hex digits.</param>
/// <param name="RangeEnd">Last hash position the shard owns (inclusive), 16 hex digits.</param>
/// <param name="LeaderId">The node leading the shard's group, or null.</param>
/// <param name="Epoch">Bumped whenever the shard's replica set changes.</param>
/// <param name="Replicas">Replicas and their roles.</param>
/// <param name="Keys">Live keys in the shard.</param>
/// <param name="Bytes">Bytes of keys and values in the shard.</param>
/// <param name="CommitIndex">The shard log's commit index.</param>
/// <param name="AppliedIndex">The last index applied to the shard's state machine.</param>
/// <param name="ReadsPerSecond">Recent reads per second.</param>
/// <param name="WritesPerSecond">Recent writes per second.</param>
/// <param name="Term">The term of the shard's group as its leader (or, without one known, the answering node's replica) reports it.</param>
public sealed record ShardInfo(
    int Id,
    string RangeStart,
    string RangeEnd,
    string? LeaderId,
    long Epoch,
    IReadOnlyList<ReplicaInfo> Replicas,
    long Keys,
    long Bytes,
    long CommitIndex,
    long AppliedIndex,
    double ReadsPerSecond,
    double WritesPerSecond,
    long Term = 0)
{
    /// <summary>The shard's name, <c>shard-N</c> (the API accepts either).</summary>
    public string Name => ShardNames.Of(Id);

    /// <summary>The migration of this shard in flight, if any.</summary>
    public string? MigrationId { get; init; }
}

/// <summary>Body of <c>GET /api/v1/cluster/metrics</c>: the cluster's load and storage, summed, and each node's.</summary>
/// <param name="NodeId">The node that answered.</param>
/// <param name="Cluster">The figures summed over the nodes that answered recently.</param>
/// <param name="Nodes">Each node's figures, with its state; a down node's are its last known and left out of the sums.</param>
public sealed record ClusterMetrics(string NodeId, ClusterTotals Cluster, IReadOnlyList<NodeMetricsInfo> Nodes);

/// <summary>The cluster's figures in <see cref="ClusterMetrics"/>.</summary>
/// <param name="Nodes">Nodes in the cluster.</param>
/// <param name="NodesReporting">Nodes whose figures are summed (those not down).</param>
/// <param name="Reads">Reads served since each node started.</param>
/// <param name="Writes">Writes committed since each node started.</param>
/// <param name="ReadsPerSecond">Recent reads per second.</param>
/// <param name="WritesPerSecond">Recent writes per second.</param>
/// <param name="WriteLatencyP99Milliseconds">The highest p99 of recent write latency of any node.</param>
/// <param name="LogBytes">Bytes of log and snapshots on every node.</param>
/// <param name="SyncedBatches">Batches made durable since each node started.</param>
/// <param name="Snapshots">Snapshots taken since each node started.</param>
public sealed record ClusterTotals(
    int Nodes,
    int NodesReporting,
    long Reads,
    long Writes,
    double ReadsPerSecond,
    double WritesPerSecond,
    double WriteLatencyP99Milliseconds,
    long LogBytes,
    long SyncedBatches,
    long Snapshots);

/// <summary>One node's figures in <see cref="ClusterMetrics"/>.</summary>
/// <param name="NodeId">The node.</param>
/// <param name="State">up, suspect or down, as the answering node sees it.</param>
/// <param name="Reads">Reads served since start.</param>
/// <param name="Writes">Writes committed since start.</param>
/// <param name="ReadsPerSecond">Recent reads per second.</param>
/// <param name="WritesPerSecond">Recent writes per second.</param>
/// <param name="WriteLatencyP99Milliseconds">p99 of recent write latency.</param>
/// <param name="LogBytes">Bytes of log and snapshots on the node.</param>
/// <param name="LogSegments">Segments of log kept.</param>
/// <param name="SyncedBatches">Batches made durable since start.</param>
/// <param name="AverageBatchSize">Average commands per durable batch since start (group commit).</param>
/// <param name="LastSyncMilliseconds">Duration of the last durable write.</param>
/// <param name="Snapshots">Snapshots taken since start.</param>
public sealed record NodeMetricsInfo(
    string NodeId,
    string State,
    long Reads,
    long Writes,
    double ReadsPerSecond,
    double WritesPerSecond,
    double WriteLatencyP99Milliseconds,
    long LogBytes,
    int LogSegments,
    long SyncedBatches,
    double AverageBatchSize,
    double LastSyncMilliseconds,
    long Snapshots);
