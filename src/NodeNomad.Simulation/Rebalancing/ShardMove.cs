namespace NodeNomad.Simulation.Rebalancing;

/// <summary>A move some driver asked the meta group for: a migration, or a leadership hand-over.</summary>
/// <param name="At">When it was asked for (the time it carries).</param>
/// <param name="ShardId">The shard.</param>
/// <param name="Kind"><see cref="Migration"/> or <see cref="Handover"/>.</param>
/// <param name="Reason">The migration's reason, or the hand-over's.</param>
/// <param name="Source">The node the replica leaves (null for a hand-over).</param>
/// <param name="Target">The node the replica or leadership goes to.</param>
/// <param name="Detail">The migration's first step's detail (null for a hand-over).</param>
public sealed record ShardMove(long At, int ShardId, string Kind, string Reason, string? Source, string Target, string? Detail)
{
    /// <summary>A replica moved by a migration.</summary>
    public const string Migration = "migration";

    /// <summary>A leadership handed over.</summary>
    public const string Handover = "handover";

    /// <summary>When a migration ended (virtual milliseconds, its last step), or null while it runs and for a hand-over.</summary>
    public long? EndedAt { get; init; }
}
