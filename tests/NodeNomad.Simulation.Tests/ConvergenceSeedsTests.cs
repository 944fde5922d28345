using System.Globalization;
using NodeNomad.Simulation.Rebalancing;

namespace NodeNomad.Simulation.Tests;

/// <summary>
/// The placement issue's convergence test, in the node's own core with the rebalancer's default settings (a round every
/// 10 s, threshold 1.25, hysteresis 1.10, cooldown 120 s, one move at a time) and the placement driver on. From a skew
/// where the shards one node leads receive 80 % of the requests, measured with noise: the most loaded node comes within
/// 1.3× the mean within 60 s of simulated time, and then no shard moves more than once in the following five minutes of
/// the same load (nor does any shard's leader change more than once). Under a load that comes and goes — the hot share
/// alternating between two sets of shards, or the skew coming and going — no shard's leadership or replica goes back to
/// a node it left (A → B → A), and no shard moves more than once per cooldown (three times in the six minutes). Each seed prints its figures; a failure prints its
/// report, and one seed replays with <c>NODENOMAD_CONVERGENCE_SEED</c> (and <c>NODENOMAD_CONVERGENCE_PATTERN</c>).
/// </summary>
public class ConvergenceSeedsTests(ITestOutputHelper output)
{
    /// <summary>Replays one seed in <see cref="one_seed_replays"/>.</summary>
    public const string SeedVariable = "NODENOMAD_CONVERGENCE_SEED";

    /// <summary>The load pattern <see cref="one_seed_replays"/> replays (steady, alternating or swinging).</summary>
    public const string PatternVariable = "NODENOMAD_CONVERGENCE_PATTERN";

    private const long LoadFrom = 20_000;
    private const double Bound = 1.3;
    private const long ConvergeWithin = 60_000;
    private const long StableFor = 300_000;
    private const long Duration = LoadFrom + ConvergeWithin + StableFor;

    /// <summary>The most moves of one shard in a run under a load that comes and goes: one per cooldown (120 s) of the six minutes.</summary>
    private const int MostPerShard = 3;

    /// <summary>
    /// The seed's cluster and load: four nodes and sixteen shards, or five nodes and twenty, with four hot shards (no more
    /// than nodes, so that one each brings every node within the bound); requests measured with 10 to 20 % noise. Not
    /// three hot shards on four nodes: with leaderships kept within one of their share, the best layout then leaves two
    /// nodes at 1.25× the mean, and reaching 1.3× depends on placing cold leaderships worth 0.06× the mean each, which is
    /// below what the rebalancer moves (<see cref="Core.Cluster.Rebalancer.MinimumGain"/>): one seed in twelve stopped at 1.31×.
    /// </summary>
    public static RebalancingScenario Scenario(int seed, string pattern = HotSpotLoad.Steady, long phase = 60_000)
    {
        var large = seed % 2 == 0;
        return new RebalancingScenario
        {
            Nodes = large ? 5 : 4,
            Shards = large ? 20 : 16,
            Noise = 0.1 + (seed % 3 * 0.05),
            Load = _ => new HotSpotLoad { From = LoadFrom, HotShards = 4, Pattern = pattern, Phase = phase },
        };
    }

    [Fact]
    public void an_80_percent_skew_converges_within_60_s_and_then_stops_over_12_seeds()
    {
        var failures = new List<string>();
        foreach (var seed in Enumerable.Range(1, 12))
        {
            var result = new RebalancingSimulation(seed, Scenario(seed)).Run(Duration);
            var (figures, failure) = Steady(result);
            output.WriteLine(figures);
            if (failure is not null)
            {
                failures.Add($"{failure}{Environment.NewLine}{result.Report}{Environment.NewLine}Replay: {SeedVariable}={seed}");
            }
        }

        failures.ShouldBeEmpty(string.Join(Environment.NewLine, failures.Take(2)));
    }

    [Theory]
    [InlineData(HotSpotLoad.Alternating, 60_000)]
    [InlineData(HotSpotLoad.Alternating, 15_000)]
    [InlineData(HotSpotLoad.Swinging, 60_000)]
    public void a_load_that_comes_and_goes_moves_no_shard_back_and_forth_nor_more_than_once_per_cooldown_over_8_seeds(string pattern, long phase)
    {
        var failures = new List<string>();
        foreach (var seed in Enumerable.Range(1, 8))
        {
            var result = new RebalancingSimulation(seed, Scenario(seed, pattern, phase)).Run(Duration);
            var (figures, failure) = Oscillating(result);
            output.WriteLine(figures);
            if (failure is not null)
            {
                failures.Add($"{failure}{Environment.NewLine}{result.Report}{Environment.NewLine}Replay: {SeedVariable}={seed} {PatternVariable}={pattern}");
            }
        }

        failures.ShouldBeEmpty(string.Join(Environment.NewLine, failures.Take(2)));
    }

    [Fact]
    public void one_seed_replays()
    {
        var seed = Environment.GetEnvironmentVariable(SeedVariable) is { Length: > 0 } text ? int.Parse(text, CultureInfo.InvariantCulture) : 3;
        var pattern = Environment.GetEnvironmentVariable(PatternVariable) is { Length: > 0 } named ? named : HotSpotLoad.Steady;
        var result = new RebalancingSimulation(seed, Scenario(seed, pattern)).Run(Duration);
        var (figures, failure) = pattern == HotSpotLoad.Steady ? Steady(result) : Oscillating(result);
        output.WriteLine(figures);
        output.WriteLine(result.Report);
        foreach (var line in ConvergenceFigures.Lines(result.Asked))
        {
            output.WriteLine(line);
        }

        failure.ShouldBeNull();
    }

    [Fact]
    public void the_same_seed_gives_the_same_moves()
    {
        var first = new RebalancingSimulation(5, Scenario(5, HotSpotLoad.Alternating)).Run(120_000);
        var second = new RebalancingSimulation(5, Scenario(5, HotSpotLoad.Alternating)).Run(120_000);
        second.Asked.ShouldBe(first.Asked);
        first.Asked.ShouldNotBeEmpty();
    }

    /// <summary>A steady skew's figures, and why it failed (null when it did not).</summary>
    private static (string Figures, string? Failure) Steady(RebalancingResult result)
    {
        var converged = ConvergenceFigures.ConvergedAt(result, Bound, LoadFrom);
        var from = converged ?? Duration;
        var moves = ConvergenceFigures.MovesBetween(result, LoadFrom, Duration);
        var after = ConvergenceFigures.MovesBetween(result, from + 1, from + StableFor);
        var leaderChanges = ConvergenceFigures.LeaderChanges(result, from + 1, from + StableFor);
        var mostChanges = leaderChanges.GroupBy(c => c.ShardId).Select(g => g.Count()).DefaultIfEmpty(0).Max();
        var worstAfter = result.HottestSince(from);
        var figures = string.Create(CultureInfo.InvariantCulture,
            $"seed {result.Seed}: {result.FinalMap?.Nodes.Count} nodes, {result.FinalMap?.Shards.Count} shards; the most loaded node at {result.HottestSince(LoadFrom):0.00}× the mean at first, "
            + $"within {Bound}× after {(converged - LoadFrom) / 1000.0:0.#} s; {moves.Count} moves in all ({Kinds(moves)}), {after.Count} in the {StableFor / 60_000} minutes after, "
            + $"at most {ConvergenceFigures.MostPerShard(after)} per shard, {leaderChanges.Count} leader changes after (at most {mostChanges} per shard), worst after {worstAfter:0.00}×; "
            + $"course every 10 s: {ConvergenceFigures.Course(result, LoadFrom, LoadFrom + 120_000, 10_000)}");
        string? failure = null;
        if (converged is null || converged - LoadFrom > ConvergeWithin)
        {
            failure = string.Create(CultureInfo.InvariantCulture, $"Seed {result.Seed}: not within {Bound}× the mean {ConvergeWithin / 1000} s after the load started.");
        }
        else if (ConvergenceFigures.MostPerShard(after) > 1 || mostChanges > 1)
        {
            failure = string.Create(CultureInfo.InvariantCulture,
                $"Seed {result.Seed}: a shard moved more than once in the {StableFor / 60_000} minutes after converging: {string.Join("; ", ConvergenceFigures.Lines(after))}");
        }

        return (figures, failure);
    }

    /// <summary>An oscillating load's figures, and why it failed (null when it did not).</summary>
    private static (string Figures, string? Failure) Oscillating(RebalancingResult result)
    {
        var moves = ConvergenceFigures.MovesBetween(result, LoadFrom, Duration);
        var pingPongs = ConvergenceFigures.PingPongs(result, LoadFrom);
        var leaderChanges = ConvergenceFigures.LeaderChanges(result, LoadFrom, Duration);
        var mostChanges = leaderChanges.GroupBy(c => c.ShardId).Select(g => g.Count()).DefaultIfEmpty(0).Max();
        var lastMove = moves.Select(m => (long?)m.At).Max();
        var figures = string.Create(CultureInfo.InvariantCulture,
            $"seed {result.Seed}: {result.FinalMap?.Nodes.Count} nodes; {moves.Count} moves ({Kinds(moves)}), at most {ConvergenceFigures.MostPerShard(moves)} per shard, "
            + $"{leaderChanges.Count} leader changes (at most {mostChanges} per shard), the last move at t={lastMove / 1000.0:0.#} s, {pingPongs.Count} back-and-forth; "
            + $"the most loaded node in the last 2 minutes at {result.HottestSince(Duration - 120_000):0.00}× at worst; course every 10 s: {ConvergenceFigures.Course(result, LoadFrom, Duration, 10_000)}");
        string? failure = null;
        if (pingPongs.Count > 0)
        {
            failure = $"Seed {result.Seed}: a shard went back where it was: {string.Join("; ", pingPongs)}";
        }
        else if (ConvergenceFigures.MostPerShard(moves) > MostPerShard || mostChanges > MostPerShard)
        {
            failure = $"Seed {result.Seed}: a shard moved more than {MostPerShard} times: {string.Join("; ", ConvergenceFigures.Lines(moves))}";
        }

        return (figures, failure);
    }

    private static string Kinds(IEnumerable<ShardMove> moves) =>
        string.Join(", ", moves.GroupBy(m => $"{m.Kind} {m.Reason.Split(' ', ':')[0]}").OrderBy(g => g.Key, StringComparer.Ordinal).Select(g => $"{g.Count()} {g.Key}"));
}
