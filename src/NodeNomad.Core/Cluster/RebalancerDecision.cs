namespace NodeNomad.Core.Cluster;

/// <summary>
/// One decision of the rebalancer, with the figures it used and why: a move it made (<see cref="Leadership"/>,
/// <see cref="Replica"/>), a hot node it could not help (<see cref="Hold"/>), or a node it stopped balancing
/// (<see cref="Settled"/>); <see cref="Rejected"/> lists the moves it considered and why each was not made.
/// </summary>
/// <param name="Id">The decision's id (a move it makes names it).</param>
/// <param name="At">When it was taken (Unix milliseconds).</param>
/// <param name="Action">leadership, replica, hold or settled.</param>
/// <param name="Dimension">The load balanced.</param>
/// <param name="ShardId">The shard moved, for a move.</param>
/// <param name="Source">The node the move takes load from (the hot node, or the current leader).</param>
/// <param name="Target">The node it moves to.</param>
/// <param name="Reason">The decision in a sentence.</param>
/// <param name="Figures">Every eligible node's load as the decision saw it.</param>
/// <param name="Rejected">Moves considered and not made, each with its reason.</param>
public sealed record RebalancerDecision(
    string Id,
    long At,
    string Action,
    string Dimension,
    int? ShardId,
    string? Source,
    string? Target,
    string Reason,
    IReadOnlyList<RebalancerFigure> Figures,
    IReadOnlyList<string> Rejected)
{
    /// <summary>A shard's leadership moves to another of its voters.</summary>
    public const string Leadership = "leadership";

    /// <summary>A shard's replica moves to a node holding none (a migration with reason rebalance).</summary>
    public const string Replica = "replica";

    /// <summary>A node is hot, and no move was made (every one considered was rejected, or moves are in flight).</summary>
    public const string Hold = "hold";

    /// <summary>A node that was being balanced fell below the hysteresis bound.</summary>
    public const string Settled = "settled";

    /// <summary>
    /// For a replica move, the node whose replica moves when it is not <see cref="Source"/>: to bring the source's
    /// leadership to the target, a follower's replica moves there and the leadership follows it, so that it never passes
    /// through a third node on the way. Null when the source's own replica moves.
    /// </summary>
    public string? ReplicaSource { get; init; }

    /// <summary>For a replica move, whether the shard's leadership is to follow the replica to its target once it is there.</summary>
    public bool LeadershipFollows { get; init; }

    /// <summary>How many repeats of the same decision in a row this one stands for (the log keeps one entry for them).</summary>
    public int Repeats { get; init; } = 1;

    /// <summary>Whether it moves something.</summary>
    public bool IsMove => Action is Leadership or Replica;
}
