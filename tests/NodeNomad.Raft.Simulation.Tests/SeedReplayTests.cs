using System.Diagnostics;
using System.Globalization;

namespace NodeNomad.Raft.Simulation.Tests;

/// <summary>
/// Seeds chosen from the environment: <c>NODENOMAD_SIM_SEED=S</c> replays seed S (with its whole report);
/// <c>NODENOMAD_SIM_SEEDS=N</c> runs N seeds from <c>NODENOMAD_SIM_FIRST_SEED</c> (or from a random start,
/// printed). <c>NODENOMAD_SIM_FLAW</c> runs them with a deliberately flawed host, <c>NODENOMAD_SIM_DURATION</c>
/// sets the virtual milliseconds of faults per seed, <c>NODENOMAD_SIM_READS=lease</c> uses lease-based reads, and
/// <c>NODENOMAD_SIM_TRACE=FILE</c> writes a replayed seed's every event to FILE.
/// </summary>
public class SeedReplayTests
{
    /// <summary>Run when no seed is given, so that this test also checks itself in CI.</summary>
    private const int DefaultSeed = 1;

    /// <summary>Where the default batch of <see cref="runs_as_many_seeds_as_asked"/> starts: after the fixed seeds 0–499.</summary>
    private const int DefaultFirstSeed = 500;

    /// <summary>How many seeds the default batch runs.</summary>
    private const int DefaultSeedCount = 10;

    [Fact]
    public void replays_one_seed()
    {
        var seed = Environment.GetEnvironmentVariable(SeedRunner.SeedVariable) is { Length: > 0 } text
            ? int.Parse(text, CultureInfo.InvariantCulture)
            : DefaultSeed;
        using var trace = Environment.GetEnvironmentVariable(SeedRunner.TraceVariable) is { Length: > 0 } path ? File.CreateText(path) : null;
        var outcome = SeedRunner.Run(seed, Flaw, fullTrace: trace);
        var output = TestContext.Current.TestOutputHelper;
        output?.WriteLine($"Seed {seed} ({(outcome.Passed ? "passed" : "failed")} in {outcome.Elapsed.TotalMilliseconds:0} ms).");
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
    public void runs_as_many_seeds_as_asked()
    {
        // Without a count, CI runs a few seeds past the fixed 500 so that this path is exercised too.
        var count = Environment.GetEnvironmentVariable(SeedRunner.SeedsVariable);
        var asked = count is { Length: > 0 };
        var first = Environment.GetEnvironmentVariable(SeedRunner.FirstSeedVariable) is { Length: > 0 } start
            ? int.Parse(start, CultureInfo.InvariantCulture)
            : asked ? Random.Shared.Next(1_000, int.MaxValue / 2) : DefaultFirstSeed;
        var seeds = Enumerable.Range(first, asked ? int.Parse(count!, CultureInfo.InvariantCulture) : DefaultSeedCount).ToList();
        TestContext.Current.TestOutputHelper?.WriteLine($"Seeds {first} to {seeds[^1]}.");
        var watch = Stopwatch.StartNew();
        var outcomes = SeedBatch.Run(seeds, Flaw);
        SeedBatch.ShouldAllPass(outcomes, watch);
    }

    private static HostFlaw Flaw =>
        Environment.GetEnvironmentVariable(SeedRunner.FlawVariable) is { Length: > 0 } flaw ? Enum.Parse<HostFlaw>(flaw) : HostFlaw.None;
}
