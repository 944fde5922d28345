using System.Diagnostics;
using System.Globalization;

namespace NodeNomad.Raft.Simulation.Tests;

/// <summary>Runs many sharded seeds on every core and reports them: a summary line, and for failures the first report in full.</summary>
internal static class ShardedSeedBatch
{
    public static IReadOnlyList<ShardedSeedOutcome> Run(IReadOnlyList<int> seeds, long? faultPhase = null)
    {
        var outcomes = new ShardedSeedOutcome[seeds.Count];
        var options = new ParallelOptions { MaxDegreeOfParallelism = Environment.ProcessorCount };
        Parallel.For(0, seeds.Count, options, i => outcomes[i] = ShardedSeedRunner.Run(seeds[i], faultPhase));
        return outcomes;
    }

    public static string Summary(IReadOnlyList<ShardedSeedOutcome> outcomes, TimeSpan elapsed)
    {
        var passed = outcomes.Where(outcome => outcome.Passed).Select(outcome => outcome.Result!).ToList();
        var failed = outcomes.Where(outcome => !outcome.Passed).Select(outcome => outcome.Seed).ToList();
        return string.Create(CultureInfo.InvariantCulture,
            $"{outcomes.Count} sharded seeds in {elapsed.TotalSeconds:0.0} s ({outcomes.Sum(o => o.Elapsed.TotalSeconds):0.0} s of runs): {passed.Count} passed, {failed.Count} failed{(failed.Count > 0 ? " (" + string.Join(", ", failed) + ")" : "")}; " +
            $"{passed.Sum(r => r.Events)} events, {passed.Sum(r => r.Leaders)} elections won, {passed.Sum(r => r.Faults.Crashes)} node crashes, {passed.Sum(r => r.Faults.Partitions)} partitions, " +
            $"{passed.Sum(r => r.Moves)} replica moves ({passed.Sum(r => r.Faults.MembershipChanges)} membership changes), {passed.Sum(r => (long)r.Committed)} entries applied, " +
            $"{passed.Sum(r => r.StaleEpochRedirects)} stale-epoch and {passed.Sum(r => r.NotHostingRedirects)} not-hosting redirects, " +
            $"{passed.Sum(r => r.OperationsCompleted)} client operations answered and {passed.Sum(r => r.OperationsUnknown)} unknown, all linearizable per key.");
    }

    /// <summary>Fails with every failing seed's one-line replay command and the first failure's report.</summary>
    public static void ShouldAllPass(IReadOnlyList<ShardedSeedOutcome> outcomes, Stopwatch watch)
    {
        ArgumentNullException.ThrowIfNull(watch);
        var summary = Summary(outcomes, watch.Elapsed);
        TestContext.Current.TestOutputHelper?.WriteLine(summary);
        var failures = outcomes.Where(outcome => !outcome.Passed).ToList();
        if (failures.Count > 0)
        {
            var problems = string.Join(Environment.NewLine, failures.Select(failure =>
                $"  seed {failure.Seed}: {failure.Failure!.Split(Environment.NewLine)[1]}{Environment.NewLine}    {ShardedSeedRunner.ReplayCommand(failure.Seed, ShardedSeedRunner.FaultPhase)}"));
            throw new ShouldAssertException(summary + Environment.NewLine + problems + Environment.NewLine + Environment.NewLine + failures[0].Failure);
        }
    }
}
