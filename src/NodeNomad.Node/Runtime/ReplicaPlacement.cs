using NodeNomad.Core.Cluster;
using NodeNomad.Raft;

namespace NodeNomad.Node.Runtime;

/// <summary>A shard replica the map places on this node and the node does not host yet.</summary>
/// <param name="Shard">The shard, as the map records it.</param>
/// <param name="InitialMembers">The group's founding membership for a founding replica; null for a replica added to
/// a group that already exists, which learns its membership from the leader.</param>
public sealed record ReplicaToCreate(ShardRecord Shard, ConfState? InitialMembers);

/// <summary>Which shard replicas an applied map asks this node to create.</summary>
public static class ReplicaPlacement
{
    /// <summary>
    /// The shards <paramref name="map"/> places on <paramref name="selfId"/> that are not among
    /// <paramref name="hosted"/>. Only a replica of a shard still at its first epoch (its voters never changed), named
    /// among its first voters, founds the group: it writes the first membership itself, identical on every founder —
    /// the voters alone, since learners join only through the group's own log. Any other replica starts
    /// empty, because its group has moved on since, and a membership of its own would contradict the leader's log.
    /// </summary>
    public static IReadOnlyList<ReplicaToCreate> Missing(ClusterMap map, string selfId, Func<int, bool> hosted)
    {
        ArgumentNullException.ThrowIfNull(map);
        ArgumentNullException.ThrowIfNull(hosted);
        var missing = new List<ReplicaToCreate>();
        foreach (var shard in map.Shards)
        {
            if (hosted(shard.Id) || !shard.IsHeldBy(selfId))
            {
                continue;
            }

            var founder = shard.Epoch == ShardRecord.FirstEpoch && shard.Replicas.Contains(selfId);
            missing.Add(new ReplicaToCreate(shard, founder
                ? new ConfState([.. shard.Replicas.Select(shard.ReplicaIdOf).Order()], [], [])
                : null));
        }

        return missing;
    }
}
