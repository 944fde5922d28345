using System.Diagnostics;
using System.Globalization;

namespace NodeNomad.Raft.Simulation.Tests;

/// <summary>
/// Sharded seeds chosen from the environment: <c>NODENOMAD_SHARDED_SIM_SEED=S</c> replays seed S (with its whole
/// report); <c>NODENOMAD_SHARDED_SIM_SEEDS=N</c> runs N seeds from <c>NODENOMAD_SHARDED_SIM_FIRST_SEED</c> (or from a
/// random start, printed). <c>NODENOMAD_SHARDED_SIM_DURATION</c> sets the virtual milliseconds of faults per seed,
/// and <c>NODENOMAD_SHARDED_SIM_TRACE=FILE</c> writes a replayed seed's every event to FILE.
/// </summary>
public class ShardedSeedReplayTests
{
    /// <summary>Run when no seed is given, so that this test also checks itself in CI.</summary>
    private const int DefaultSeed = 1;

    /// <summary>Where the default batch of <see cref="runs_as_many_sharded_seeds_as_asked"/> starts: after the fixed seeds 0–199.</summary>
    private const int DefaultFirstSeed = 200;

    /// <summary>How many seeds the default batch runs.</summary>
    private const int DefaultSeedCount = 4;

    [Fact]
    public void replays_one_sharded_seed()
    {
        var seed = Environment.GetEnvironmentVariable(ShardedSeedRunner.SeedVariable) is { Length: > 0 } text
            ? int.Parse(text, CultureInfo.InvariantCulture)
            : DefaultSeed;
        using var trace = Environment.GetEnvironmentVariable(ShardedSeedRunner.TraceVariable) is { Length: > 0 } path ? File.CreateText(path) : null;
        var outcome = ShardedSeedRunner.Run(seed, fullTrace: trace);
        var output = TestContext.Current.TestOutputHelper;
        output?.WriteLine($"Sharded seed {seed} ({(outcome.Passed ? "passed" : "failed")} in {outcome.Elapsed.TotalMilliseconds:0} ms).");
        if (outcome.Result is { } result)
        {
            output?.WriteLine(result.Settings.ToString());
            output?.WriteLine(result.ToString());
            output?.WriteLine(result.Check.Message);
        }

        if (!outcome.Passed)
        {
            throw new ShouldAssertException(outcome.Failure);
        }
    }

    [Fact]
    public void runs_as_many_sharded_seeds_as_asked()
    {
        var count = Environment.GetEnvironmentVariable(ShardedSeedRunner.SeedsVariable);
        var asked = count is { Length: > 0 };
        var first = Environment.GetEnvironmentVariable(ShardedSeedRunner.FirstSeedVariable) is { Length: > 0 } start
            ? int.Parse(start, CultureInfo.InvariantCulture)
            : asked ? Random.Shared.Next(1_000, int.MaxValue / 2) : DefaultFirstSeed;
        var seeds = Enumerable.Range(first, asked ? int.Parse(count!, CultureInfo.InvariantCulture) : DefaultSeedCount).ToList();
        TestContext.Current.TestOutputHelper?.WriteLine($"Sharded seeds {first} to {seeds[^1]}.");
        var watch = Stopwatch.StartNew();
        var outcomes = ShardedSeedBatch.Run(seeds);
        ShardedSeedBatch.ShouldAllPass(outcomes, watch);
    }
}
