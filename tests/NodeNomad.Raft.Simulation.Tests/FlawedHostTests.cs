namespace NodeNomad.Raft.Simulation.Tests;

/// <summary>
/// The checks are not vacuous: a host that breaks Ready's contract makes some seed fail. Each test runs seeds
/// until the first failure, and asserts it is caught by the right check.
/// </summary>
public class FlawedHostTests
{
    private const int SeedsToTry = 60;

    [Fact]
    public void a_host_that_acknowledges_before_persisting_is_caught_by_the_invariants()
    {
        var failure = FirstFailure(HostFlaw.AcknowledgesBeforePersisting);

        failure.Cause.ShouldBeOfType<InvariantViolationException>(failure.Failure);
    }

    [Fact]
    public void a_host_that_serves_reads_without_read_index_is_caught_by_the_linearizability_checker()
    {
        var failure = FirstFailure(HostFlaw.ServesReadsWithoutReadIndex);

        failure.Cause.ShouldBeNull(failure.Failure);
        failure.Result.ShouldNotBeNull().Check.Verdict.ShouldBe(Linearizability.Verdict.NotLinearizable, failure.Failure);
    }

    private static SeedOutcome FirstFailure(HostFlaw flaw)
    {
        var outcomes = SeedBatch.Run(Enumerable.Range(0, SeedsToTry).ToList(), flaw, stopAtFirstFailure: true);
        var failure = outcomes.Where(outcome => !outcome.Passed).OrderBy(outcome => outcome.Seed).FirstOrDefault();
        failure.ShouldNotBeNull($"None of seeds 0 to {SeedsToTry - 1} caught a host that {flaw}.");
        TestContext.Current.TestOutputHelper?.WriteLine($"Caught by seed {failure.Seed}:{Environment.NewLine}{failure.Failure}");
        return failure;
    }
}
