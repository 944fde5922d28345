namespace NodeNomad.Contracts;

/// <summary>What a node tells its peers about itself (<c>GET /peer/v1/status</c> on the peer port).</summary>
/// <param name="NodeId">The node.</param>
/// <param name="ClientUrl">Where it serves the REST API.</param>
/// <param name="Version">Its NodeNomad version.</param>
/// <param name="StartedAt">When its process started.</param>
/// <param name="Role">Its Raft role in the meta group.</param>
/// <param name="Term">Its meta group term.</param>
/// <param name="LeaderId">The meta group leader it knows, or null.</param>
/// <param name="CommitIndex">Its meta group commit index.</param>
/// <param name="AppliedIndex">Its meta group applied index.</param>
/// <param name="Healthy">Whether its log works and it has recovered.</param>
/// <param name="Groups">Every group it hosts (meta group included), with its role and load.</param>
/// <param name="Metrics">Its load and storage figures (its <see cref="NodeMetricsInfo.State"/> is up: it answered).</param>
public sealed record PeerStatus(
    string NodeId,
    string ClientUrl,
    string Version,
    DateTimeOffset StartedAt,
    string Role,
    long Term,
    string? LeaderId,
    long CommitIndex,
    long AppliedIndex,
    bool Healthy,
    IReadOnlyList<GroupStatus>? Groups = null,
    NodeMetricsInfo? Metrics = null);

/// <summary>A node's member of one Raft group, as it reports it.</summary>
/// <param name="GroupId">The group (0 is the meta group; shard i is group i + 1).</param>
/// <param name="ShardId">The shard, or null for the meta group.</param>
/// <param name="Role">leader, follower, learner, candidate or pre-candidate.</param>
/// <param name="Term">Its term.</param>
/// <param name="LeaderId">The leader it knows, or null.</param>
/// <param name="CommitIndex">Its commit index.</param>
/// <param name="AppliedIndex">Its applied index.</param>
/// <param name="Keys">Live keys in its state machine (0 for the meta group).</param>
/// <param name="Bytes">Bytes of keys and values in its state machine.</param>
/// <param name="ReadsPerSecond">Recent reads per second it served.</param>
/// <param name="WritesPerSecond">Recent writes per second it committed as leader.</param>
public sealed record GroupStatus(
    long GroupId,
    int? ShardId,
    string Role,
    long Term,
    string? LeaderId,
    long CommitIndex,
    long AppliedIndex,
    long Keys,
    long Bytes,
    double ReadsPerSecond,
    double WritesPerSecond);
