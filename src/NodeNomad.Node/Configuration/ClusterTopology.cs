using Microsoft.Extensions.Options;
using NodeNomad.Core.Cluster;

namespace NodeNomad.Node.Configuration;

/// <summary>The cluster's members as configured, and which of them is this node.</summary>
public sealed class ClusterTopology
{
    private readonly Dictionary<ulong, ClusterMember> _byReplica;

    /// <summary>Reads the members from the node's options.</summary>
    public ClusterTopology(IOptions<NodeOptions> options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var value = options.Value;
        Members = value.Members();
        _byReplica = Members.ToDictionary(m => m.ReplicaId);
        Self = Members.Single(m => m.NodeId == value.NodeId);
    }

    /// <summary>Every member, this node included.</summary>
    public IReadOnlyList<ClusterMember> Members { get; }

    /// <summary>This node.</summary>
    public ClusterMember Self { get; }

    /// <summary>The other members.</summary>
    public IEnumerable<ClusterMember> Peers => Members.Where(m => m.ReplicaId != Self.ReplicaId);

    /// <summary>The member with replica id <paramref name="replicaId"/>, or null.</summary>
    public ClusterMember? Find(ulong replicaId) => _byReplica.GetValueOrDefault(replicaId);
}
