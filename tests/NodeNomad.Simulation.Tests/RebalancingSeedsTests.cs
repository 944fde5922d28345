using System.Globalization;
using NodeNomad.Core.Cluster;
using NodeNomad.Simulation.Rebalancing;

namespace NodeNomad.Simulation.Tests;

/// <summary>
/// The rebalancer running in the node's own core, over 50 seeds of skewed load: the cluster comes within
/// <see cref="Bound"/> of the mean and stays there, with a bounded number of moves and none once balanced. A failure
/// prints the seed's report; one seed replays with <c>NODENOMAD_REBALANCING_SEED</c>.
/// </summary>
public class RebalancingSeedsTests(ITestOutputHelper output)
{
    private const long Duration = 180_000;

    /// <summary>The last stretch of a run in which no node may be hot and nothing may move.</summary>
    private const long Quiet = 30_000;

    /// <summary>
    /// How loaded the most loaded node may be in the end. Not the threshold: leaderships are kept within one of their
    /// share, so a node that must lead two of the five hot shards still leads a cold one (seed 49: 85 writes/s against a
    /// mean of 67.5, 1.26×), and the rebalancer says so rather than break the balance the placement driver keeps.
    /// </summary>
    private const double Bound = 1.3;

    /// <summary>
    /// Where these random rates may leave the hottest node when no single move helps. The rates here are coarse (a shard
    /// serves 5 or 40 writes/s against a mean of about 65 per node), and a move must take at least
    /// <see cref="Rebalancer.MinimumGain"/> off the hottest node and leave every node it loads cooler by half the load it
    /// moves, which is what keeps the 80% hot spot of <c>ConvergenceSeedsTests</c> from flapping. Seeds 5, 8 and 10 end
    /// between 1.31× and 1.36×: the only moves left would overshoot or gain less than the least gain, and the
    /// rebalancer's last word for them is a hold that names each move it rejected.
    /// </summary>
    private const double CoarseBound = 1.4;

    /// <summary>Replays one seed in <see cref="one_seed_replays"/>.</summary>
    public const string SeedVariable = "NODENOMAD_REBALANCING_SEED";

    [Fact]
    public void skewed_load_converges_within_the_bound_in_a_bounded_number_of_moves_over_50_seeds()
    {
        var results = Enumerable.Range(1, 50).Select(seed => new RebalancingSimulation(seed).Run(Duration)).ToList();
        var failures = results.Where(r => Failure(r) is not null).ToList();
        foreach (var failure in failures.Take(3))
        {
            output.WriteLine($"{Failure(failure)}{Environment.NewLine}{failure.Report}{Environment.NewLine}Replay: {SeedVariable}={failure.Seed}");
        }

        var moves = results.SelectMany(r => r.Moves).ToList();
        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{results.Count} seeds: {moves.Count(m => m.Decision.Action == RebalancerDecision.Leadership)} leadership moves, "
            + $"{moves.Count(m => m.Decision.Action == RebalancerDecision.Replica)} replica moves, at most {results.Max(r => r.Moves.Count)} in one seed; "
            + $"{results.Count(r => r.HottestSince(0) >= RebalancingScenario.Skewed.Rules.Threshold)} seeds started with a hot node"));
        failures.Select(f => f.Seed).ShouldBeEmpty();
        results.Count(r => r.HottestSince(0) >= RebalancingScenario.Skewed.Rules.Threshold).ShouldBeGreaterThan(25, "most seeds start with a node above the threshold");
        moves.ShouldContain(m => m.Decision.Action == RebalancerDecision.Replica, "some seeds need a replica moved, not only a leadership");
    }

    [Fact]
    public void one_seed_replays()
    {
        var seed = Environment.GetEnvironmentVariable(SeedVariable) is { Length: > 0 } text ? int.Parse(text, CultureInfo.InvariantCulture) : 7;
        var result = new RebalancingSimulation(seed).Run(Duration);
        output.WriteLine(result.Report);
        foreach (var (at, decision) in result.Moves)
        {
            output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"t={at} ms {decision.Action}: {decision.Reason}"));
        }

        Failure(result).ShouldBeNull();
    }

    [Fact]
    public void the_same_seed_gives_the_same_moves()
    {
        var first = new RebalancingSimulation(11).Run(60_000);
        var second = new RebalancingSimulation(11).Run(60_000);
        second.Moves.Select(m => (m.At, m.Decision.Reason)).ShouldBe(first.Moves.Select(m => (m.At, m.Decision.Reason)));
    }

    private static string? Failure(RebalancingResult result)
    {
        var quietFrom = Duration - Quiet;
        var hottest = result.HottestSince(quietFrom);
        if (hottest > CoarseBound)
        {
            return string.Create(CultureInfo.InvariantCulture, $"Seed {result.Seed}: a node was at {hottest:0.00}× the mean in the last {Quiet / 1000} s, above {CoarseBound}×.");
        }

        if (hottest > Bound && result.LastDecision is not { Action: RebalancerDecision.Hold, Rejected.Count: > 0 })
        {
            return string.Create(CultureInfo.InvariantCulture,
                $"Seed {result.Seed}: a node was at {hottest:0.00}× the mean in the last {Quiet / 1000} s, above {Bound}×, and the rebalancer's last decision does not say which moves it rejected: {result.LastDecision?.Reason}");
        }

        if (result.Moves.Count > 2 * RebalancingScenario.Skewed.Shards)
        {
            return string.Create(CultureInfo.InvariantCulture, $"Seed {result.Seed}: {result.Moves.Count} moves, more than {2 * RebalancingScenario.Skewed.Shards}: thrashing.");
        }

        return result.Moves.FirstOrDefault(m => m.At >= quietFrom) is { Decision: { } late } move
            ? string.Create(CultureInfo.InvariantCulture, $"Seed {result.Seed}: a move at t={move.At} ms, once balanced: {late.Reason}")
            : null;
    }
}
