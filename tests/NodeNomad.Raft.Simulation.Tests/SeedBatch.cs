using System.Diagnostics;
using System.Globalization;

namespace NodeNomad.Raft.Simulation.Tests;

/// <summary>Runs many seeds on every core and reports them: a summary line, and for failures the first report in full.</summary>
internal static class SeedBatch
{
    public static IReadOnlyList<SeedOutcome> Run(IReadOnlyList<int> seeds, HostFlaw flaw = HostFlaw.None, long? faultPhase = null)
    {
        var outcomes = new SeedOutcome[seeds.Count];
        var options = new ParallelOptions { MaxDegreeOfParallelism = Environment.ProcessorCount };
        Parallel.For(0, seeds.Count, options, i => outcomes[i] = SeedRunner.Run(seeds[i], flaw, faultPhase));
        return outcomes;
    }

    public static string Summary(IReadOnlyList<SeedOutcome> outcomes, TimeSpan elapsed)
    {
        var passed = outcomes.Where(outcome => outcome.Passed).Select(outcome => outcome.Result!).ToList();
        var failed = outcomes.Where(outcome => !outcome.Passed).Select(outcome => outcome.Seed).ToList();
        return string.Create(CultureInfo.InvariantCulture,
            $"{outcomes.Count} seeds in {elapsed.TotalSeconds:0.0} s ({outcomes.Sum(o => o.Elapsed.TotalSeconds):0.0} s of runs): {passed.Count} passed, {failed.Count} failed{(failed.Count > 0 ? " (" + string.Join(", ", failed) + ")" : "")}; " +
            $"{passed.Sum(r => r.Events)} events, {passed.Sum(r => r.Leaders)} elections won, {passed.Sum(r => r.Faults.Crashes)} crashes, {passed.Sum(r => r.Faults.Partitions)} partitions, " +
            $"{passed.Sum(r => r.Faults.MembershipChanges)} membership changes, {passed.Sum(r => (long)r.Committed)} entries applied, " +
            $"{passed.Sum(r => r.OperationsCompleted)} client operations answered and {passed.Sum(r => r.OperationsUnknown)} unknown, all linearizable.");
    }

    /// <summary>Fails with the first failing seed's report (which ends in its replay command) and the other failing seeds.</summary>
    public static void ShouldAllPass(IReadOnlyList<SeedOutcome> outcomes, Stopwatch watch)
    {
        ArgumentNullException.ThrowIfNull(watch);
        var summary = Summary(outcomes, watch.Elapsed);
        TestContext.Current.TestOutputHelper?.WriteLine(summary);
        var failures = outcomes.Where(outcome => !outcome.Passed).ToList();
        if (failures.Count > 0)
        {
            var problems = string.Join(Environment.NewLine, failures.Select(failure => $"  seed {failure.Seed}: {failure.Failure!.Split(Environment.NewLine)[1]}"));
            throw new ShouldAssertException(summary + Environment.NewLine + problems + Environment.NewLine + Environment.NewLine + failures[0].Failure);
        }
    }
}
