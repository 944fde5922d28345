using System.IO.Hashing;
using System.Text;

namespace NodeNomad.Core.Cluster;

/// <summary>
/// Raft names replicas by non-zero 64-bit ids; operators name nodes by strings. A node's replica id is the
/// XxHash3 of its UTF-8 name, so every node derives the same id for a name without asking anyone.
/// </summary>
public static class ReplicaIds
{
    /// <summary>The replica id of the node named <paramref name="nodeId"/>.</summary>
    public static ulong For(string nodeId)
    {
        ArgumentException.ThrowIfNullOrEmpty(nodeId);
        var id = XxHash3.HashToUInt64(Encoding.UTF8.GetBytes(nodeId));
        return id == 0 ? 1 : id;
    }
}
