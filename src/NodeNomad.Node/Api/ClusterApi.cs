using NodeNomad.Contracts;
using NodeNomad.Node.Configuration;
using NodeNomad.Node.Peers;
using NodeNomad.Node.Shards;
using NodeNomad.Node.Telemetry;

namespace NodeNomad.Node.Api;

/// <summary>
/// The cluster endpoints. Until sharding lands the cluster holds one shard over the whole hash range,
/// replicated on every member by one Raft group.
/// </summary>
public static class ClusterApi
{
    private const int ShardId = 0;
    private const string RangeStart = "0000000000000000";
    private const string RangeEnd = "ffffffffffffffff";

    /// <summary>Maps <c>/api/v1/cluster/info|nodes|shards|metrics</c>.</summary>
    public static IEndpointRouteBuilder MapClusterApi(this IEndpointRouteBuilder routes)
    {
        var cluster = routes.MapGroup("/api/v1/cluster").WithTags("Cluster");
        cluster.MapGet("/info", Info);
        cluster.MapGet("/nodes", NodesAsync);
        cluster.MapGet("/shards", Shards);
        cluster.MapGet("/metrics", Metrics);
        return routes;
    }

    private static ClusterInfo Info(NodeIdentity identity, ShardReplica shard, ClusterTopology topology)
    {
        var status = shard.Status;
        var health = shard.Failure is not null ? "unavailable" : !shard.Recovered || status.LeaderId is null ? "degraded" : "healthy";
        var warnings = new List<string>();
        if (topology.Members.Count == 1)
        {
            warnings.Add("Single node: the shard has one replica, so losing this node's disk loses data.");
        }

        if (status.LeaderId is null)
        {
            warnings.Add("No leader is known: an election is in progress, or this node cannot reach a quorum.");
        }

        if (shard.Failure is { } failure)
        {
            warnings.Add($"The log failed and this node serves nothing until a restart: {failure.Message}");
        }

        return new ClusterInfo(identity.ClusterId, identity.NodeId, NodeIdentity.Version, ShardCount: 1, ReplicationFactor: topology.Members.Count,
            MetaLeaderId: status.LeaderId, health, warnings, status.LeaderId, (long)status.Term);
    }

    private static async Task<NodeInfo[]> NodesAsync(PeerDirectory directory, CancellationToken cancellationToken)
    {
        var statuses = await directory.StatusesAsync(cancellationToken);
        return statuses.Select(s => s.Status is { } status
                ? new NodeInfo(status.NodeId, status.ClientUrl, status.Healthy ? "up" : "suspect", [ShardId],
                    status.Role == "leader" ? [ShardId] : [], status.Version, status.StartedAt, status.Role, status.Term, status.CommitIndex, status.AppliedIndex)
                : new NodeInfo(s.Member.NodeId, string.Empty, "down", [ShardId], [], string.Empty, null))
            .ToArray();
    }

    private static ShardInfo[] Shards(ShardReplica shard, ClusterTopology topology, NodeMetrics metrics)
    {
        var (keys, bytes) = shard.Read(m => ((long)m.Count, m.Bytes));
        var status = shard.Status;
        var replicas = status.Voters.Select(v => new ReplicaInfo(v, v == status.LeaderId ? "leader" : "follower")).ToList();
        return
        [
            new ShardInfo(ShardId, RangeStart, RangeEnd, status.LeaderId, Epoch: 1, replicas,
                keys, bytes, (long)status.CommitIndex, (long)status.AppliedIndex, metrics.Reads.PerSecond(), metrics.Writes.PerSecond()),
        ];
    }

    private static ClusterMetrics Metrics(NodeIdentity identity, ShardReplica shard, NodeMetrics metrics)
    {
        var log = shard.LogStatistics;
        return new ClusterMetrics(identity.NodeId, metrics.TotalReads, metrics.TotalWrites, metrics.Reads.PerSecond(), metrics.Writes.PerSecond(),
            metrics.WriteLatency.Quantile(0.99), log.Bytes, log.Segments, metrics.Batches, metrics.AverageBatchSize, log.LastSyncMilliseconds,
            metrics.Snapshots);
    }
}
