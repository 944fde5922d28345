using System.Globalization;
using NodeNomad.Core.Cluster;

namespace NodeNomad.Simulation.Rebalancing;

/// <summary>Every shard at a rate of its own, the same all along.</summary>
/// <param name="rates">Each shard's requests per second.</param>
public sealed class FixedShardLoad(IReadOnlyList<double> rates) : ShardLoad
{
    /// <summary>Each shard's rate.</summary>
    public IReadOnlyList<double> Each { get; } = rates;

    /// <inheritdoc />
    public override IReadOnlyList<double> Rates(long at, ClusterMap map, Func<int, string?> leaders) => Each;

    /// <inheritdoc />
    public override string Describe() => string.Create(CultureInfo.InvariantCulture, $"rates [{string.Join(", ", Each)}]");
}
