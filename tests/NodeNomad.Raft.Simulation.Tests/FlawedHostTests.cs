using NodeNomad.Linearizability;

namespace NodeNomad.Raft.Simulation.Tests;

/// <summary>
/// The checks are not vacuous: a host that breaks Ready's contract makes some seed fail, and the right check
/// catches it. (A flawed host also trips the core's own sanity checks, or fails in other ways; those seeds do
/// not count here.)
/// </summary>
public class FlawedHostTests
{
    private const int SeedsToTry = 40;

    /// <summary>Shorter runs than the fixed seeds: a flawed host is usually caught early.</summary>
    private const long FaultPhase = 3_000;

    [Fact]
    public void a_host_that_acknowledges_before_persisting_is_caught_by_the_invariants()
    {
        FirstCaught(HostFlaw.AcknowledgesBeforePersisting, outcome => outcome.Cause is InvariantViolationException);
    }

    [Fact]
    public void a_host_that_serves_reads_without_read_index_is_caught_by_the_linearizability_checker()
    {
        var caught = FirstCaught(HostFlaw.ServesReadsWithoutReadIndex, outcome => outcome.Result?.Check.Verdict == Verdict.NotLinearizable);

        // The history it wrote for re-checking by hand (check-history FILE) gets the same verdict.
        HistoryFile.Check(caught.HistoryPath.ShouldNotBeNull()).Verdict.ShouldBe(HistoryFileVerdict.NotLinearizable);
    }

    private static SeedOutcome FirstCaught(HostFlaw flaw, Func<SeedOutcome, bool> caughtAsExpected)
    {
        var outcomes = SeedBatch.Run(Enumerable.Range(0, SeedsToTry).ToList(), flaw, FaultPhase);
        var caught = outcomes.Where(outcome => !outcome.Passed && caughtAsExpected(outcome)).ToList();
        var output = TestContext.Current.TestOutputHelper;
        output?.WriteLine($"{caught.Count} of {SeedsToTry} seeds caught the host that {flaw} ({outcomes.Count(outcome => !outcome.Passed)} failed in all).");

        caught.ShouldNotBeEmpty($"None of seeds 0 to {SeedsToTry - 1} caught a host that {flaw} with the expected check.");
        output?.WriteLine($"The first, seed {caught[0].Seed}:{Environment.NewLine}{caught[0].Failure}");
        return caught[0];
    }
}
