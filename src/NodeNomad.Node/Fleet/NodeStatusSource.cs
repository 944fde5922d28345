using NodeNomad.Contracts.Fleet;
using NodeNomad.Node.Configuration;
using NodeNomad.Node.Peers;
using NodeNomad.Node.Shards;
using NodeNomad.Node.Telemetry;

namespace NodeNomad.Node.Fleet;

/// <summary>The status of today's single-group node: one shard (id 0) replicated on every member.</summary>
public sealed class NodeStatusSource(NodeIdentity identity, ShardReplica shard, NodeMetrics metrics, PeerDirectory directory, TimeProvider clock)
    : IFleetStatusSource
{
    private const int ShardId = 0;

    /// <inheritdoc />
    public NodeStatusReport Current()
    {
        var status = shard.Status;
        var (keys, bytes) = shard.Read(m => ((long)m.Count, m.Bytes));
        var log = shard.LogStatistics;
        var now = clock.GetUtcNow();
        return new NodeStatusReport(identity.NodeId, identity.ClientUrl, NodeIdentity.Version, identity.StartedAt, (now - identity.StartedAt).TotalSeconds, now,
            [new GroupStatusReport(ShardId, status.RoleName, (long)status.Term, status.LeaderId, (long)status.CommitIndex, (long)status.AppliedIndex)],
            new LoadReport(metrics.Reads.PerSecond(), metrics.Writes.PerSecond(), metrics.WriteLatency.Quantile(0.99)),
            new StorageReport(keys, bytes, log.Bytes, log.Segments, log.LastSyncMilliseconds));
    }

    /// <inheritdoc />
    public async Task<IReadOnlyList<PeerReachability>> PeersAsync(CancellationToken cancellationToken)
    {
        var statuses = await directory.StatusesAsync(cancellationToken);
        return statuses.Where(s => s.Member.NodeId != identity.NodeId)
            .Select(s => new PeerReachability(s.Member.NodeId, s.Status is not null))
            .ToList();
    }
}
