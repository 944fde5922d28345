using Microsoft.Extensions.Options;
using NodeNomad.Core.Cluster;

namespace NodeNomad.Node.Configuration;

/// <summary>
/// The cluster's initial members as configured (<c>CLUSTER_NODES</c>), and this node. The configured members
/// create the cluster together; a node they do not list joins the cluster they formed.
/// </summary>
public sealed class ClusterTopology
{
    /// <summary>Most voters the meta group starts with; further initial members hold learner replicas of it.</summary>
    public const int MaxMetaVoters = 5;

    private readonly Dictionary<ulong, ClusterMember> _byReplica;
    private readonly NodeOptions _options;

    /// <summary>Reads the members from the node's options.</summary>
    public ClusterTopology(IOptions<NodeOptions> options)
    {
        ArgumentNullException.ThrowIfNull(options);
        _options = options.Value;
        Members = _options.Members();
        _byReplica = Members.ToDictionary(m => m.ReplicaId);
        var address = _options.AdvertisedPeerAddress;
        var colon = address.LastIndexOf(':');
        Self = Members.FirstOrDefault(m => m.NodeId == _options.NodeId)
            ?? new ClusterMember(_options.NodeId, address[..colon], _options.EffectivePeerPort);
    }

    /// <summary>The configured members (this node included unless it joins).</summary>
    public IReadOnlyList<ClusterMember> Members { get; }

    /// <summary>This node.</summary>
    public ClusterMember Self { get; }

    /// <summary>Whether this node is one of the members that create the cluster (rather than one that joins it).</summary>
    public bool IsInitialMember => _byReplica.ContainsKey(Self.ReplicaId);

    /// <summary>The other configured members.</summary>
    public IEnumerable<ClusterMember> Peers => Members.Where(m => m.ReplicaId != Self.ReplicaId);

    /// <summary>The configured member with replica id <paramref name="replicaId"/>, or null.</summary>
    public ClusterMember? Find(ulong replicaId) => _byReplica.GetValueOrDefault(replicaId);

    /// <summary>
    /// The meta group's first membership, the same on every initial member: the first <see cref="MaxMetaVoters"/>
    /// members by id vote, the rest learn. Null on a node that joins (it is added by the meta group's leader).
    /// </summary>
    public Raft.ConfState? InitialMetaMembers()
    {
        if (!IsInitialMember)
        {
            return null;
        }

        var ordered = Members.OrderBy(m => m.NodeId, StringComparer.Ordinal).ToList();
        return new Raft.ConfState(
            [.. ordered.Take(MaxMetaVoters).Select(m => m.ReplicaId).Order()],
            [.. ordered.Skip(MaxMetaVoters).Select(m => m.ReplicaId).Order()],
            []);
    }

    /// <summary>The replication factor a new cluster gets: the configured one, capped at the number of members.</summary>
    public int EffectiveReplicationFactor => Math.Min(_options.ReplicationFactor, Members.Count);

    /// <summary>The command that creates the cluster: its members and every shard placed by the ring.</summary>
    public BootstrapCluster Bootstrap(NodeOptions options, string clusterId)
    {
        ArgumentNullException.ThrowIfNull(options);
        var nodes = Members
            .Select(m => new NodeRecord(m.NodeId, $"{m.PeerHost}:{m.PeerPort}", m.NodeId == Self.NodeId ? options.EffectiveUrl : "", m.NodeId == Self.NodeId ? options.Weight : 1, NodeRecord.Active))
            .ToList();
        var factor = EffectiveReplicationFactor;
        var ring = new PlacementRing(nodes.Select(n => new PlacementNode(n.Id, n.Weight)));
        var placement = ring.Place(options.ShardCount, factor);
        var ranges = HashRange.Split(options.ShardCount);
        var shards = ranges.Select((range, i) => new ShardRecord(i, range.Start, range.End, placement[i], [], ShardRecord.FirstEpoch)).ToList();
        return new BootstrapCluster(clusterId, factor, nodes, shards);
    }
}
