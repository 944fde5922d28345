namespace NodeNomad.Core.Cluster;

/// <summary>A node of the cluster as configured: its name, its replica id, and where its peer port listens.</summary>
/// <param name="NodeId">The node's name.</param>
/// <param name="PeerHost">Host of its peer port.</param>
/// <param name="PeerPort">Its peer port.</param>
public sealed record ClusterMember(string NodeId, string PeerHost, int PeerPort)
{
    /// <summary>The node's Raft replica id.</summary>
    public ulong ReplicaId { get; } = ReplicaIds.For(NodeId);

    /// <summary>The peer port's base address.</summary>
    public Uri PeerUri => new($"http://{PeerHost}:{PeerPort}");

    /// <summary>
    /// Parses <c>CLUSTER_NODES</c>: comma-separated <c>id=host:peerPort</c>, or the original form
    /// <c>host:port</c> where the host names the node. Returns the members, or why the text is wrong.
    /// </summary>
    public static (IReadOnlyList<ClusterMember> Members, string? Problem) ParseList(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var members = new List<ClusterMember>();
        foreach (var raw in text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var (id, address) = raw.Split('=', 2) is [var name, var rest] ? (name.Trim(), rest.Trim()) : (null, raw);
            var colon = address.LastIndexOf(':');
            if (colon <= 0 || !int.TryParse(address[(colon + 1)..], System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var port) || port is < 1 or > 65535)
            {
                return ([], $"'{raw}' is not id=host:port or host:port.");
            }

            var host = address[..colon];
            id ??= host;
            if (id.Length == 0)
            {
                return ([], $"'{raw}' has an empty node id.");
            }

            if (members.Any(m => m.NodeId == id))
            {
                return ([], $"node '{id}' is listed twice.");
            }

            members.Add(new ClusterMember(id, host, port));
        }

        return members.Count == 0 ? ([], "it lists no node.") : (members, null);
    }
}
