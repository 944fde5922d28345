using NodeNomad.Contracts;
using NodeNomad.Node.Configuration;
using NodeNomad.Node.Shards;
using NodeNomad.Node.Telemetry;

namespace NodeNomad.Node.Api;

/// <summary>
/// The cluster endpoints. A lone node is a cluster of one: one shard over the whole hash range, replicated
/// once, led by this node.
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
        cluster.MapGet("/nodes", Nodes);
        cluster.MapGet("/shards", Shards);
        cluster.MapGet("/metrics", Metrics);
        return routes;
    }

    private static ClusterInfo Info(NodeIdentity identity, ShardReplica shard)
    {
        var health = shard.Failure is not null ? "unavailable" : shard.Recovered ? "healthy" : "degraded";
        var warnings = new List<string> { "Single node: every shard has one replica, so losing this node's disk loses data." };
        if (shard.Failure is { } failure)
        {
            warnings.Add($"The log failed and writes are refused until a restart: {failure.Message}");
        }

        return new ClusterInfo(identity.ClusterId, identity.NodeId, NodeIdentity.Version, ShardCount: 1, ReplicationFactor: 1,
            MetaLeaderId: identity.NodeId, health, warnings);
    }

    private static NodeInfo[] Nodes(NodeIdentity identity, ShardReplica shard) =>
    [
        new NodeInfo(identity.NodeId, identity.ClientUrl, shard.Failure is null ? "up" : "suspect", [ShardId], [ShardId],
            NodeIdentity.Version, identity.StartedAt),
    ];

    private static ShardInfo[] Shards(NodeIdentity identity, ShardReplica shard, NodeMetrics metrics)
    {
        var (keys, bytes, applied) = shard.Read(m => ((long)m.Count, m.Bytes, m.AppliedIndex));
        return
        [
            new ShardInfo(ShardId, RangeStart, RangeEnd, identity.NodeId, Epoch: 1, [new ReplicaInfo(identity.NodeId, "leader")],
                keys, bytes, shard.LastIndex, applied, metrics.Reads.PerSecond(), metrics.Writes.PerSecond()),
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
