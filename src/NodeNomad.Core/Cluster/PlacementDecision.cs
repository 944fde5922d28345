namespace NodeNomad.Core.Cluster;

/// <summary>
/// A move the placement policy asks for, with its reason and why, in words: a replica moved by a migration
/// (<see cref="Replica"/>), or a shard's leadership handed to another of its voters (<see cref="Leadership"/>).
/// </summary>
/// <param name="ShardId">The shard whose replica or leadership moves.</param>
/// <param name="Source">The node giving the replica up (for a repair, the node that is down), or the shard's leader.</param>
/// <param name="Target">The node receiving it.</param>
/// <param name="Reason">drain, join or repair for a replica; join or balance for a leadership.</param>
/// <param name="Detail">What the policy saw ("node-3 down for 31 s; re-creating its replica of shard-2 on node-5").</param>
/// <param name="Action"><see cref="Replica"/> or <see cref="Leadership"/>.</param>
public sealed record PlacementDecision(int ShardId, string Source, string Target, string Reason, string Detail, string Action = PlacementDecision.Replica)
{
    /// <summary>A replica moves: the driver starts a migration.</summary>
    public const string Replica = "replica";

    /// <summary>A leadership moves: the driver records a hand-over, which the shard's leader carries out.</summary>
    public const string Leadership = "leadership";

    /// <summary>Whether it moves a leadership.</summary>
    public bool IsLeadership => Action == Leadership;
}
