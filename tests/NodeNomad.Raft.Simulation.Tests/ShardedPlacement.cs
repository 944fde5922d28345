using NodeNomad.Core.Cluster;

namespace NodeNomad.Raft.Simulation.Tests;

/// <summary>
/// One shard as the meta group records it: the hash range it owns, the nodes replicating it (each with the Raft id
/// of its replica there), and the epoch that every change of that set bumps.
/// </summary>
/// <param name="Shard">The shard, which is also its Raft group's id (the meta group is 0).</param>
/// <param name="Range">The key positions it owns.</param>
/// <param name="Replicas">Its replicas, ordered by node.</param>
/// <param name="Epoch">Bumped by every change of <paramref name="Replicas"/>.</param>
internal sealed record ShardedPlacement(int Shard, HashRange Range, IReadOnlyList<(ulong Node, ulong Peer)> Replicas, ulong Epoch)
{
    public bool IsOn(ulong node) => Replicas.Any(replica => replica.Node == node);

    public override string ToString() =>
        $"shard {Shard} epoch {Epoch} on [{string.Join(",", Replicas.Select(replica => $"n{replica.Node}:{replica.Peer}"))}]";
}
