using NodeNomad.Contracts;
using NodeNomad.Core.Cluster;
using NodeNomad.Linearizability;

namespace NodeNomad.Raft.Simulation.Tests;

/// <summary>
/// A smart client of the sharded cluster: a sequential <see cref="SimulatedClient"/> (its operations and history)
/// plus a cached, possibly stale copy of the shard map and a guess of each shard's leader. It routes each
/// operation by the key's shard in its cache and sends the epoch it routed by.
/// </summary>
internal sealed class ShardedClient(SimulatedClient operations, IReadOnlyList<ShardedPlacement> map)
{
    public SimulatedClient Operations { get; } = operations;

    /// <summary>The cached shard map.</summary>
    public IReadOnlyList<ShardedPlacement> Map { get; private set; } = map;

    /// <summary>The node each shard's leader was last heard to be on.</summary>
    public Dictionary<int, ulong> Leaders { get; } = [];

    /// <summary>For a client that checks liveness at the end: the operations it still has to run; null for the others.</summary>
    public Queue<NodeNomadKvInput>? Probes { get; init; }

    /// <summary>A map refresh is on its way.</summary>
    public bool Refreshing { get; set; }

    public int Id => Operations.Id;

    /// <summary>The key's shard as the cache has it.</summary>
    public ShardedPlacement PlacementOf(string key) => ShardedMetaState.ShardOf(Map, KeyPosition.Of(key));

    /// <summary>Takes what a node's map says, shard by shard, where it is newer than the cache.</summary>
    public void Learn(IReadOnlyList<ShardedPlacement> fetched)
    {
        ArgumentNullException.ThrowIfNull(fetched);
        Map = Map.Zip(fetched, (cached, other) => other.Epoch > cached.Epoch ? other : cached).ToArray();
    }
}
