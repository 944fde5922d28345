using NodeNomad.Contracts;

namespace NodeNomad.Console.Fleet;

/// <summary>A shard as the console shows it.</summary>
/// <param name="Info">What the cluster says of it.</param>
/// <param name="Health">Its health given which nodes are up.</param>
public sealed record ShardView(ShardInfo Info, ShardHealth Health)
{
    /// <summary>The role of <paramref name="nodeId"/>'s replica (leader, follower, learner), or null when it holds none.</summary>
    public string? RoleOf(string nodeId) =>
        Info.LeaderId == nodeId ? ReplicaRoles.Leader : Info.Replicas.FirstOrDefault(r => r.NodeId == nodeId)?.Role;
}
