using NodeNomad.Contracts;
using NodeNomad.Contracts.Fleet;
using NodeNomad.Node.Configuration;
using NodeNomad.Node.Peers;
using NodeNomad.Node.Shards;
using NodeNomad.Node.Telemetry;

namespace NodeNomad.Node.Fleet;

/// <summary>The node's status for the console: each shard replica it hosts, its load and its storage.</summary>
public sealed class NodeStatusSource(NodeIdentity identity, ReplicaHost host, NodeMetrics metrics, ClusterObserver observer, TimeProvider clock)
    : IFleetStatusSource
{
    /// <inheritdoc />
    public NodeStatusReport Current()
    {
        var groups = new List<GroupStatusReport>();
        long keys = 0;
        long bytes = 0;
        foreach (var shard in host.Shards.Values.OrderBy(s => s.ShardId))
        {
            var status = shard.Status;
            var (count, size) = shard.Read(m => ((long)m.Count, m.Bytes));
            keys += count;
            bytes += size;
            groups.Add(new GroupStatusReport(shard.ShardId, PeerApi.RoleOf(status, host.SelfId), (long)status.Term, status.LeaderId, (long)status.CommitIndex, (long)status.AppliedIndex));
        }

        var log = host.LogStatistics;
        var now = clock.GetUtcNow();
        return new NodeStatusReport(identity.NodeId, identity.ClientUrl, NodeIdentity.Version, identity.StartedAt, (now - identity.StartedAt).TotalSeconds, now,
            groups,
            new LoadReport(NodeFigures.Round(metrics.Reads.PerSecond()), NodeFigures.Round(metrics.Writes.PerSecond()), NodeFigures.Round(metrics.WriteLatency.Quantile(0.99))),
            new StorageReport(keys, bytes, log.Bytes, log.Segments, log.LastSyncMilliseconds),
            PeerApi.RoleOf(host.Meta.Status, host.SelfId), (long)host.Meta.Status.Term);
    }

    /// <inheritdoc />
    public Task<IReadOnlyList<PeerReachability>> PeersAsync(CancellationToken cancellationToken)
    {
        IReadOnlyList<PeerReachability> peers = [.. host.Map.Nodes
            .Where(n => n.Id != identity.NodeId)
            .Select(n => new PeerReachability(n.Id, observer.StateOf(n.Id) != NodeStates.Down))];
        return Task.FromResult(peers);
    }
}
