namespace NodeNomad.Simulation;

/// <summary>How one seed of the <see cref="RebalancingSimulation"/> went.</summary>
/// <param name="Seed">The seed.</param>
/// <param name="Rates">Each shard's write rate.</param>
/// <param name="Moves">Every move the rebalancer decided, with when the simulation first saw it.</param>
/// <param name="Hottest">Second by second, the hottest node's load over the mean.</param>
/// <param name="Report">The nodes' loads and the last decisions at the end, for a failure's message.</param>
public sealed record RebalancingResult(
    int Seed,
    IReadOnlyList<double> Rates,
    IReadOnlyList<(long At, Core.Cluster.RebalancerDecision Decision)> Moves,
    IReadOnlyList<(long At, double Ratio)> Hottest,
    string Report)
{
    /// <summary>The hottest ratio seen from <paramref name="from"/> on.</summary>
    public double HottestSince(long from) => Hottest.Where(h => h.At >= from).Select(h => h.Ratio).DefaultIfEmpty(0).Max();
}
