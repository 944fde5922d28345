namespace NodeNomad.Simulation.Rebalancing;

/// <summary>A change the simulation saw happen to a shard: its leader, or its voting replicas.</summary>
/// <param name="At">When it was seen (virtual milliseconds; sampled every 100 ms).</param>
/// <param name="ShardId">The shard.</param>
/// <param name="Kind"><see cref="Leader"/> or <see cref="Replicas"/>.</param>
/// <param name="From">The leader before (null: none), or the voters before, comma-separated.</param>
/// <param name="To">The leader after, or the voters after.</param>
public sealed record ShardChange(long At, int ShardId, string Kind, string? From, string? To)
{
    /// <summary>The shard's leader changed.</summary>
    public const string Leader = "leader";

    /// <summary>The shard's voting replicas changed.</summary>
    public const string Replicas = "replicas";
}
