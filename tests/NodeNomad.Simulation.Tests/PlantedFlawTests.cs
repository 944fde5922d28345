using NodeNomad.Linearizability;
using NodeNomad.Node.Runtime;

namespace NodeNomad.Simulation.Tests;

/// <summary>
/// The simulator earns its keep only if it catches real mistakes: each test switches the node core to one
/// deliberately wrong rule and shows that some seed among the first hundred fails, naming the seed and why.
/// </summary>
public class PlantedFlawTests(ITestOutputHelper output)
{
    private const int Bound = 100;

    [Theory]
    [InlineData(CoreFlaw.FollowerAcksBeforeSave)]
    [InlineData(CoreFlaw.LeaderCountsItselfBeforeSave)]
    [InlineData(CoreFlaw.ReadBeforeApply)]
    [InlineData(CoreFlaw.RemoveBeforePromote)]
    public void the_simulator_finds_a_planted_flaw_within_a_hundred_seeds(CoreFlaw flaw)
    {
        var found = Enumerable.Range(1, Bound).Select(seed => CoreSeedRunner.Run(seed, flaw)).FirstOrDefault(o => !o.Passed);
        found.ShouldNotBeNull($"no seed of 1..{Bound} caught {flaw}");
        output.WriteLine(found.Failure!);
        if (found.HistoryPath is { } history)
        {
            // A history the checker rejected is written for re-checking by hand (check-history FILE): same verdict.
            HistoryFile.Check(history).Verdict.ShouldBe(HistoryFileVerdict.NotLinearizable);
        }
    }

    [Fact]
    public void a_read_served_before_apply_is_caught_by_the_linearizability_checker()
    {
        var found = Enumerable.Range(1, Bound).Select(seed => CoreSeedRunner.Run(seed, CoreFlaw.ReadBeforeApply)).FirstOrDefault(o => o.HistoryPath is not null);
        found.ShouldNotBeNull($"no seed of 1..{Bound} gave a history the checker rejects with {CoreFlaw.ReadBeforeApply}");
        output.WriteLine(found.Failure!);
    }
}
