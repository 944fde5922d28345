using NodeNomad.Contracts;

namespace NodeNomad.Console.Fleet;

/// <summary>A shard as the console shows it.</summary>
/// <param name="Info">What the cluster says of it.</param>
/// <param name="Health">Its health given which nodes are up.</param>
/// <param name="Replicas">Its replicas, with what their nodes last reported of them.</param>
/// <param name="Epochs">The epochs the console has seen it at, oldest first.</param>
/// <param name="Load">Its load at each poll of the shard map, oldest first.</param>
public sealed record ShardView(
    ShardInfo Info,
    ShardHealth Health,
    IReadOnlyList<ReplicaView> Replicas,
    IReadOnlyList<EpochChange> Epochs,
    IReadOnlyList<ShardLoadSample> Load)
{
    /// <summary>The role of <paramref name="nodeId"/>'s replica (leader, follower, learner), or null when it holds none.</summary>
    public string? RoleOf(string nodeId) =>
        Info.LeaderId == nodeId ? ReplicaRoles.Leader : Info.Replicas.FirstOrDefault(r => r.NodeId == nodeId)?.Role;

    /// <summary>Whether <paramref name="nodeId"/> holds a replica of the shard but is not up, so the replica cannot serve.</summary>
    public bool IsUnavailableOn(string nodeId) => Replicas.Any(r => r.NodeId == nodeId && !r.Available);
}
