namespace NodeNomad.Contracts.Fleet;

/// <summary>The values of <see cref="FleetEvent.Kind"/>.</summary>
public static class FleetEventKinds
{
    /// <summary>A node became the leader of a shard's group.</summary>
    public const string LeaderChanged = "leader-changed";

    /// <summary>A node joined the cluster or came back.</summary>
    public const string NodeJoined = "node-joined";

    /// <summary>A node stopped answering its peers, or went silent to the console.</summary>
    public const string NodeUnreachable = "node-unreachable";
}
