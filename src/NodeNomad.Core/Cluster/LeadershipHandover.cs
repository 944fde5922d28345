namespace NodeNomad.Core.Cluster;

/// <summary>
/// A request, recorded in the meta group, that shard <paramref name="ShardId"/>'s leadership go to
/// <paramref name="Target"/>: the replica leading the shard hands it over (Raft leadership transfer) while the request
/// is fresh (<see cref="Window"/>). The map keeps the latest one per shard.
/// </summary>
/// <param name="ShardId">The shard.</param>
/// <param name="Target">The node that is to lead it, a voter of the shard.</param>
/// <param name="Reason">Why (rebalance, drain), with the decision that asked.</param>
/// <param name="At">When it was asked (Unix milliseconds).</param>
public sealed record LeadershipHandover(int ShardId, string Target, string Reason, long At)
{
    /// <summary>The node that led the shard when it was asked (null when not known, or recorded before it was kept).</summary>
    public string? From { get; init; }

    /// <summary>How long after <see cref="At"/> the shard's leader still acts on it.</summary>
    public static readonly TimeSpan Window = TimeSpan.FromSeconds(10);

    /// <summary>Whether the shard's leader still acts on it at <paramref name="now"/>.</summary>
    public bool IsFresh(long now) => now - At < Window.TotalMilliseconds;
}
