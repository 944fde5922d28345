namespace NodeNomad.Core.Cluster;

/// <summary>A node as the meta group records it.</summary>
/// <param name="Id">The node's name.</param>
/// <param name="PeerAddress">Where its peer port listens, <c>host:port</c>.</param>
/// <param name="ClientUrl">Where it serves the REST API; empty until the node has registered it.</param>
/// <param name="Weight">Its capacity relative to other nodes (placement gives it replicas in proportion).</param>
/// <param name="Membership">active, draining, drained or removed: the names of <see cref="Contracts.NodeMemberships"/>, which the wire carries.</param>
public sealed record NodeRecord(string Id, string PeerAddress, string ClientUrl, int Weight, string Membership)
{
    /// <summary>A node that takes part in placement.</summary>
    public const string Active = Contracts.NodeMemberships.Active;

    /// <summary>A node handing its leaderships and replicas to others; placement gives it nothing new.</summary>
    public const string Draining = Contracts.NodeMemberships.Draining;

    /// <summary>A node that handed everything over: it holds no replica, and may be removed or brought back.</summary>
    public const string Drained = Contracts.NodeMemberships.Drained;

    /// <summary>A node taken out of the cluster: it holds nothing and may not join again under its name.</summary>
    public const string Removed = Contracts.NodeMemberships.Removed;

    /// <summary>Whether placement may give this node replicas.</summary>
    public bool IsActive => Membership == Active;

    /// <summary>The node's Raft replica id.</summary>
    public ulong ReplicaId => ReplicaIds.For(Id);
}
