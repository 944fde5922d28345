using NodeNomad.Core.Cluster;

namespace NodeNomad.Simulation.Rebalancing;

/// <summary>How one seed of the <see cref="RebalancingSimulation"/> went.</summary>
/// <param name="Seed">The seed.</param>
/// <param name="Rates">Each shard's rate, for a load that keeps them fixed (else empty).</param>
/// <param name="Moves">Every move the rebalancer decided, with when the simulation first saw it.</param>
/// <param name="Hottest">Second by second, the most loaded active node's load over the mean (by the model's rates).</param>
/// <param name="Report">The nodes' loads and the last decisions at the end, for a failure's message.</param>
public sealed record RebalancingResult(
    int Seed,
    IReadOnlyList<double> Rates,
    IReadOnlyList<(long At, RebalancerDecision Decision)> Moves,
    IReadOnlyList<(long At, double Ratio)> Hottest,
    string Report)
{
    /// <summary>Every move asked of the meta group, by any driver, in the order asked.</summary>
    public IReadOnlyList<ShardMove> Asked { get; init; } = [];

    /// <summary>Every change of a shard's leader or voters, in the order seen.</summary>
    public IReadOnlyList<ShardChange> Changes { get; init; } = [];

    /// <summary>The node that joined, or null.</summary>
    public string? Joiner { get; init; }

    /// <summary>Who led each shard at the end.</summary>
    public IReadOnlyDictionary<int, string> FinalLeaders { get; init; } = new Dictionary<int, string>();

    /// <summary>The meta leader's map at the end.</summary>
    public ClusterMap? FinalMap { get; init; }

    /// <summary>The most moves in flight at once (migrations, and hand-overs not carried out yet), sampled every 100 ms.</summary>
    public int MostInFlight { get; init; }

    /// <summary>The meta leader's newest rebalancer decision at the end, or null.</summary>
    public RebalancerDecision? LastDecision { get; init; }

    /// <summary>The hottest ratio seen from <paramref name="from"/> on.</summary>
    public double HottestSince(long from) => Hottest.Where(h => h.At >= from).Select(h => h.Ratio).DefaultIfEmpty(0).Max();

    /// <summary>The first time from <paramref name="from"/> on that the most loaded node was at or below <paramref name="ratio"/>, or null.</summary>
    public long? FirstAtOrBelow(double ratio, long from) => Hottest.Where(h => h.At >= from && h.Ratio <= ratio).Select(h => (long?)h.At).FirstOrDefault();
}
