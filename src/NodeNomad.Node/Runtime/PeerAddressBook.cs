using NodeNomad.Core.Cluster;

namespace NodeNomad.Node.Runtime;

/// <summary>
/// Where every other node's peer port is, and whose replica id is whose: the configured members first, then the
/// applied cluster map, which wins (a node that joined later is only in the map). The loop updates it when a map is
/// applied; anyone reads it.
/// </summary>
public sealed class PeerAddressBook
{
    private readonly string _selfId;
    private readonly IReadOnlyList<ClusterMember> _configured;
    private volatile Book _book;

    /// <summary>Creates the book of <paramref name="selfId"/> from the configured members.</summary>
    public PeerAddressBook(string selfId, IReadOnlyList<ClusterMember> configured)
    {
        _selfId = selfId;
        _configured = configured;
        _book = Build(ClusterMap.Empty);
    }

    /// <summary>The peer port of every other node, by node id.</summary>
    public IReadOnlyDictionary<string, Uri> PeerUris => _book.Uris;

    /// <summary>The peer port of every other node, by replica id (the transport's view).</summary>
    public IReadOnlyDictionary<ulong, Uri> ByReplica => _book.ByReplica;

    /// <summary>The peer port of <paramref name="nodeId"/>, or null when neither the map nor the configuration names it.</summary>
    public Uri? Of(string nodeId) => _book.Uris.GetValueOrDefault(nodeId);

    /// <summary>The node id of replica <paramref name="replicaId"/>, or null for 0 or an id nobody has.</summary>
    public string? NodeName(ulong replicaId) => replicaId == 0 ? null : _book.Names.GetValueOrDefault(replicaId);

    /// <summary>Takes the addresses of an applied map.</summary>
    public void Update(ClusterMap map) => _book = Build(map);

    private Book Build(ClusterMap map)
    {
        var uris = new Dictionary<string, Uri>(StringComparer.Ordinal);
        var names = new Dictionary<ulong, string> { [ReplicaIds.For(_selfId)] = _selfId };
        foreach (var member in _configured)
        {
            names[member.ReplicaId] = member.NodeId;
            if (member.NodeId != _selfId)
            {
                uris[member.NodeId] = member.PeerUri;
            }
        }

        foreach (var node in map.Nodes)
        {
            names[node.ReplicaId] = node.Id;
            if (node.Id != _selfId && !string.IsNullOrEmpty(node.PeerAddress))
            {
                uris[node.Id] = new Uri($"http://{node.PeerAddress}");
            }
        }

        var byReplica = uris.ToDictionary(p => ReplicaIds.For(p.Key), p => p.Value);
        // Members of shard groups that joined after the group was founded have ids of their own (one per joining).
        foreach (var shard in map.Shards)
        {
            foreach (var (node, incarnation) in shard.Incarnations)
            {
                var id = ReplicaIds.For(node, incarnation);
                names[id] = node;
                if (uris.TryGetValue(node, out var uri))
                {
                    byReplica[id] = uri;
                }
            }
        }

        return new Book(uris, byReplica, names);
    }

    private sealed record Book(Dictionary<string, Uri> Uris, Dictionary<ulong, Uri> ByReplica, Dictionary<ulong, string> Names);
}
