namespace NodeNomad.Core.Cluster;

/// <summary>A shard as the meta group records it.</summary>
/// <param name="Id">The shard id, from 0.</param>
/// <param name="RangeStart">First key-hash position it owns.</param>
/// <param name="RangeEnd">Last key-hash position it owns (inclusive).</param>
/// <param name="Replicas">Nodes holding a voting replica; the first is the preferred leader.</param>
/// <param name="Learners">Nodes holding a non-voting replica (a replica catching up during a move).</param>
/// <param name="Epoch">Bumped on every change of the voting replicas; requests routed by an older epoch are redirected.
/// A learner coming or going leaves it: a learner serves nothing.</param>
public sealed record ShardRecord(int Id, ulong RangeStart, ulong RangeEnd, IReadOnlyList<string> Replicas, IReadOnlyList<string> Learners, long Epoch)
{
    /// <summary>The epoch a new cluster's shards start at, with their founding replicas.</summary>
    public const long FirstEpoch = 1;

    /// <summary>The Raft group of shard <paramref name="shardId"/>: group 0 is the meta group, shard i is group i + 1.</summary>
    public static ulong GroupOf(int shardId) => (ulong)shardId + 1;

    /// <summary>The shard whose group is <paramref name="groupId"/>, or null for the meta group.</summary>
    public static int? ShardOf(ulong groupId) => groupId == 0 ? null : (int)(groupId - 1);

    /// <summary>This shard's Raft group.</summary>
    public ulong GroupId => GroupOf(Id);

    /// <summary>The shard's hash range.</summary>
    public HashRange Range => new(RangeStart, RangeEnd);

    /// <summary>
    /// The incarnation of each replica that joined the group after it was founded (the meta index of the migration that
    /// added it); founding replicas are not listed (incarnation 0).
    /// </summary>
    public IReadOnlyDictionary<string, long> Incarnations { get; init; } = new Dictionary<string, long>();

    /// <summary>The incarnation of <paramref name="nodeId"/>'s replica (0 for a founder).</summary>
    public long IncarnationOf(string nodeId) => Incarnations.GetValueOrDefault(nodeId);

    /// <summary>The Raft replica id of <paramref name="nodeId"/>'s member of this shard's group.</summary>
    public ulong ReplicaIdOf(string nodeId) => ReplicaIds.For(nodeId, IncarnationOf(nodeId));

    /// <summary>Whether <paramref name="nodeId"/> holds a replica (voting or learning).</summary>
    public bool IsHeldBy(string nodeId) => Replicas.Contains(nodeId) || Learners.Contains(nodeId);
}
