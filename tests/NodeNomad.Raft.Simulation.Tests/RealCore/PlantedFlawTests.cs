using NodeNomad.Node.Runtime;

namespace NodeNomad.Raft.Simulation.Tests.RealCore;

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
    public void the_simulator_finds_a_planted_flaw_within_a_hundred_seeds(CoreFlaw flaw)
    {
        var found = Enumerable.Range(1, Bound).Select(seed => CoreSeedRunner.Run(seed, flaw)).FirstOrDefault(o => !o.Passed);
        found.ShouldNotBeNull($"no seed of 1..{Bound} caught {flaw}");
        output.WriteLine(found.Failure!);
    }
}
