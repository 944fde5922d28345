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

    /// <summary>
    /// The replica id of <paramref name="nodeId"/>'s member of a group it joined as incarnation
    /// <paramref name="incarnation"/> (0: it founded the group, and its id is the node's). A node that leaves a group
    /// and joins it again is a new member with a new id, so nothing meant for (or sent by, or voted by) its earlier
    /// membership is ever taken for the new one's.
    /// </summary>
    public static ulong For(string nodeId, long incarnation)
    {
        if (incarnation == 0)
        {
            return For(nodeId);
        }

        var id = XxHash3.HashToUInt64(Encoding.UTF8.GetBytes(string.Create(System.Globalization.CultureInfo.InvariantCulture, $"{nodeId}#{incarnation}")));
        return id == 0 ? 1 : id;
    }

    /// <summary>
    /// The key under which a node's log keeps group <paramref name="groupId"/>'s member of incarnation
    /// <paramref name="incarnation"/>: the group id itself for a founding member, else the incarnation above the group id's
    /// 24 bits, so the log never mixes two memberships of the same group.
    /// </summary>
    public static ulong LogKey(ulong groupId, long incarnation) => incarnation == 0 ? groupId : ((ulong)incarnation << GroupBits) | groupId;

    /// <summary>The group and incarnation a log key stands for.</summary>
    public static (ulong GroupId, long Incarnation) OfLogKey(ulong key) => (key & ((1UL << GroupBits) - 1), (long)(key >> GroupBits));

    private const int GroupBits = 24;
}
