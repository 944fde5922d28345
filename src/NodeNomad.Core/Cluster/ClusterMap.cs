using NodeNomad.Contracts;

namespace NodeNomad.Core.Cluster;

/// <summary>
/// The cluster's truth as of some index of the meta group's log: its identity, nodes and shards. Immutable; the
/// meta group's state machine makes a new one for every change, and routing reads whichever it last published.
/// </summary>
/// <param name="ClusterId">The cluster's identity, fixed at bootstrap; null before.</param>
/// <param name="ShardCount">Number of shards.</param>
/// <param name="ReplicationFactor">Replicas per shard the cluster was created with.</param>
/// <param name="Nodes">Every node, by id order.</param>
/// <param name="Shards">Every shard, by id (and so by range) order.</param>
/// <param name="Version">The meta log index that produced this map.</param>
public sealed record ClusterMap(string? ClusterId, int ShardCount, int ReplicationFactor, IReadOnlyList<NodeRecord> Nodes, IReadOnlyList<ShardRecord> Shards, long Version)
{
    /// <summary>Migrations in flight, and the most recent ended ones (at most <see cref="MigrationRecord.HistoryKept"/>), oldest first.</summary>
    public IReadOnlyList<MigrationRecord> Migrations { get; init; } = [];

    /// <summary>The load-based rebalancer's settings, or null when never set (<see cref="RebalancerSettings.Default"/> apply).</summary>
    public RebalancerSettings? Rebalancing { get; init; }

    /// <summary>The rebalancer's settings in force.</summary>
    public RebalancerSettings RebalancerSettings => Rebalancing ?? RebalancerSettings.Default;

    /// <summary>The latest leadership hand-over asked of each shard, by shard id order.</summary>
    public IReadOnlyList<LeadershipHandover> Handovers { get; init; } = [];

    /// <summary>The client API keys, by id order: their hashes and scopes, never their tokens.</summary>
    public IReadOnlyList<ApiKeyRecord> ApiKeys { get; init; } = [];

    /// <summary>The map before bootstrap.</summary>
    public static ClusterMap Empty { get; } = new(null, 0, 0, [], [], 0);

    /// <summary>Whether the cluster has been created.</summary>
    public bool IsBootstrapped => ClusterId is not null;

    /// <summary>The shard owning <paramref name="position"/>, or null before bootstrap.</summary>
    public ShardRecord? ShardFor(ulong position)
    {
        var low = 0;
        var high = Shards.Count - 1;
        while (low <= high)
        {
            var middle = (low + high) / 2;
            var shard = Shards[middle];
            if (position < shard.RangeStart)
            {
                high = middle - 1;
            }
            else if (position > shard.RangeEnd)
            {
                low = middle + 1;
            }
            else
            {
                return shard;
            }
        }

        return null;
    }

    /// <summary>The shard owning <paramref name="key"/>, or null before bootstrap.</summary>
    public ShardRecord? ShardForKey(string key) => ShardFor(KeyPosition.Of(key));

    /// <summary>The node named <paramref name="id"/>, or null.</summary>
    public NodeRecord? Node(string id) => Nodes.FirstOrDefault(n => n.Id == id);

    /// <summary>The node whose replica id is <paramref name="replicaId"/>, or null.</summary>
    public NodeRecord? NodeByReplica(ulong replicaId) => Nodes.FirstOrDefault(n => n.ReplicaId == replicaId);

    /// <summary>The migration named <paramref name="id"/>, or null.</summary>
    public MigrationRecord? Migration(string id) => Migrations.FirstOrDefault(m => m.Id == id);

    /// <summary>The migration of shard <paramref name="shardId"/> in flight, or null.</summary>
    public MigrationRecord? MovingShard(int shardId) => Migrations.FirstOrDefault(m => m.ShardId == shardId && !m.IsFinal);

    /// <summary>The shard with id <paramref name="id"/>, or null.</summary>
    public ShardRecord? Shard(int id) => id >= 0 && id < Shards.Count ? Shards[id] : null;
}
