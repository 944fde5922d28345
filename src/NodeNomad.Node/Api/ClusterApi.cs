using NodeNomad.Contracts;
using NodeNomad.Core.Cluster;
using NodeNomad.Node.Configuration;
using NodeNomad.Node.Peers;
using NodeNomad.Node.Shards;
using NodeNomad.Node.Telemetry;
using NodeNomad.Node.Security;

namespace NodeNomad.Node.Api;

/// <summary>
/// The cluster endpoints: what the cluster map says (nodes, shards, replicas, epochs) joined with what the nodes
/// report of themselves (who leads, who answers, load).
/// </summary>
public static class ClusterApi
{
    /// <summary>Maps <c>/api/v1/cluster/info|nodes|shards|metrics</c>.</summary>
    public static IEndpointRouteBuilder MapClusterApi(this IEndpointRouteBuilder routes)
    {
        var cluster = routes.MapGroup("/api/v1/cluster").WithTags("Cluster").RequireScope(ApiScopes.Read);
        cluster.MapGet("/info", Info);
        cluster.MapGet("/nodes", Nodes);
        cluster.MapGet("/shards", Shards);
        cluster.MapGet("/metrics", Metrics);
        return routes;
    }

    private static ClusterInfo Info(NodeIdentity identity, ReplicaHost host, ClusterObserver observer, ClusterTopology topology, Microsoft.Extensions.Options.IOptions<NodeOptions> options)
    {
        var map = host.Map;
        var warnings = new List<string>();
        var configured = options.Value.ReplicationFactor;
        if (map.IsBootstrapped && map.ReplicationFactor < configured)
        {
            warnings.Add($"Replication factor {configured} is capped at {map.ReplicationFactor}: the cluster was created with {map.Nodes.Count} member(s).");
        }

        if (map.Nodes.Count == 1 || (!map.IsBootstrapped && topology.Members.Count == 1))
        {
            warnings.Add("Single node: every shard has one replica, so losing this node's disk loses data.");
        }

        var leaderless = map.Shards.Where(s => observer.LeaderOf(s.Id) is null).Select(s => s.Id).ToList();
        if (leaderless.Count > 0)
        {
            warnings.Add($"No leader is known for shards {string.Join(", ", leaderless)}: an election is in progress, or a majority of their replicas is down.");
        }

        var down = map.Nodes.Where(n => observer.StateOf(n.Id) == NodeStates.Down).Select(n => n.Id).ToList();
        if (down.Count > 0)
        {
            warnings.Add($"Nodes down: {string.Join(", ", down)}.");
        }

        if (host.Meta.Status.LeaderId is null)
        {
            warnings.Add("No meta group leader is known: an election is in progress, or this node cannot reach a quorum of the meta group.");
        }

        if (!map.IsBootstrapped)
        {
            warnings.Add("The cluster is being created: no shard map yet.");
        }

        if (host.Failure is { } failure)
        {
            warnings.Add($"The log failed and this node serves nothing until a restart: {failure.Message}");
        }

        var health = host.Failure is not null || !map.IsBootstrapped || (map.Shards.Count > 0 && leaderless.Count == map.Shards.Count)
            ? "unavailable"
            : leaderless.Count > 0 || down.Count > 0 || !host.Recovered || host.Meta.Status.LeaderId is null ? "degraded" : "healthy";
        return new ClusterInfo(map.ClusterId ?? identity.ClusterId, identity.NodeId, NodeIdentity.Version, map.ShardCount, map.ReplicationFactor,
            host.Meta.Status.LeaderId, health, warnings, (long)host.Meta.Status.Term);
    }

    private static NodeInfo[] Nodes(ReplicaHost host, ClusterObserver observer, ClusterTopology topology)
    {
        var map = host.Map;
        var ids = map.Nodes.Select(n => n.Id).Union(topology.Members.Select(m => m.NodeId)).Order(StringComparer.Ordinal);
        var leaders = map.Shards.ToDictionary(s => s.Id, s => observer.LeaderOf(s.Id));
        return
        [
            .. ids.Select(id =>
            {
                var status = observer.StatusOf(id);
                var record = map.Node(id);
                var replicas = map.Shards.Where(s => s.IsHeldBy(id)).Select(s => s.Id).ToList();
                var leaderships = leaders.Where(l => l.Value == id).Select(l => l.Key).Order().ToList();
                var clientUrl = record is { ClientUrl.Length: > 0 } ? record.ClientUrl : status?.ClientUrl ?? string.Empty;
                var shardGroups = status?.Groups?.Where(g => g.ShardId is not null).ToList() ?? [];
                return new NodeInfo(id, clientUrl, observer.StateOf(id), replicas, leaderships, status?.Version ?? string.Empty, status?.StartedAt,
                    status?.Role, status?.Term ?? 0, status?.CommitIndex ?? 0, status?.AppliedIndex ?? 0,
                    record?.PeerAddress ?? topology.Members.Where(m => m.NodeId == id).Select(m => $"{m.PeerHost}:{m.PeerPort}").FirstOrDefault(),
                    NodeFigures.Round(shardGroups.Sum(g => g.ReadsPerSecond)), NodeFigures.Round(shardGroups.Sum(g => g.WritesPerSecond)), record?.Weight ?? 1)
                {
                    Membership = record?.Membership ?? NodeRecord.Active,
                    Drain = NodeMembershipApi.DrainStatus(map, id, leaderships, n => observer.StateOf(n) != NodeStates.Down),
                };
            }),
        ];
    }

    private static ShardInfo[] Shards(ReplicaHost host, ClusterObserver observer)
    {
        var map = host.Map;
        return [.. map.Shards.Select(shard => Describe(shard, host, observer))];
    }

    private static ShardInfo Describe(ShardRecord shard, ReplicaHost host, ClusterObserver observer)
    {
        var leader = observer.LeaderOf(shard.Id);
        var replicas = shard.Replicas.Select(r => new ReplicaInfo(r, r == leader ? ReplicaRoles.Leader : ReplicaRoles.Follower))
            .Concat(shard.Learners.Select(r => new ReplicaInfo(r, ReplicaRoles.Learner)))
            .ToList();

        // The leader's figures are the shard's; this node's own replica stands in when the leader's are unknown.
        GroupStatus? figures = null;
        if (host.Shard(shard.Id) is { } local && (local.IsLeader || observer.LeaderReport(shard.Id) is null))
        {
            var (keys, bytes) = local.Read(m => ((long)m.Count, m.Bytes));
            var status = local.Status;
            figures = new GroupStatus((long)shard.GroupId, shard.Id, status.RoleName, (long)status.Term, status.LeaderId, (long)status.CommitIndex,
                (long)status.AppliedIndex, keys, bytes, NodeFigures.Round(local.Reads.PerSecond()), NodeFigures.Round(local.Writes.PerSecond()));
        }

        figures ??= observer.LeaderReport(shard.Id);
        return new ShardInfo(shard.Id, shard.Range.StartHex, shard.Range.EndHex, leader, shard.Epoch, replicas,
            figures?.Keys ?? 0, figures?.Bytes ?? 0, figures?.CommitIndex ?? 0, figures?.AppliedIndex ?? 0, figures?.ReadsPerSecond ?? 0, figures?.WritesPerSecond ?? 0,
            figures?.Term ?? 0)
        {
            MigrationId = host.Map.MovingShard(shard.Id)?.Id,
        };
    }

    private static ClusterMetrics Metrics(NodeIdentity identity, ReplicaHost host, ClusterObserver observer, ClusterTopology topology)
    {
        var ids = host.Map.Nodes.Select(n => n.Id).Union(topology.Members.Select(m => m.NodeId)).Order(StringComparer.Ordinal).ToList();
        var nodes = ids
            .Select(id => observer.StatusOf(id)?.Metrics is { } figures ? figures with { State = observer.StateOf(id) } : null)
            .OfType<NodeMetricsInfo>()
            .ToList();
        var counted = nodes.Where(n => n.State != NodeStates.Down).ToList();
        var totals = new ClusterTotals(ids.Count, counted.Count, counted.Sum(n => n.Reads), counted.Sum(n => n.Writes),
            NodeFigures.Round(counted.Sum(n => n.ReadsPerSecond)), NodeFigures.Round(counted.Sum(n => n.WritesPerSecond)),
            counted.Count == 0 ? 0 : counted.Max(n => n.WriteLatencyP99Milliseconds), counted.Sum(n => n.LogBytes), counted.Sum(n => n.SyncedBatches),
            counted.Sum(n => n.Snapshots));
        return new ClusterMetrics(identity.NodeId, totals, nodes);
    }
}
