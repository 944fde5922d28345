using System.Diagnostics;

namespace NodeNomad.Raft.Simulation.Tests;

/// <summary>
/// Seeds 0 to 499, fifty per case so that progress shows. A failure prints the seed's report: the broken
/// invariant (or the checker's verdict), the replicas, the last events, and the one command that replays it.
/// </summary>
public class FixedSeedsTests
{
    private const int SeedsPerCase = 50;

    [Theory]
    [InlineData(0)]
    [InlineData(50)]
    [InlineData(100)]
    [InlineData(150)]
    [InlineData(200)]
    [InlineData(250)]
    [InlineData(300)]
    [InlineData(350)]
    [InlineData(400)]
    [InlineData(450)]
    public void a_fixed_set_of_500_seeds_all_pass(int first)
    {
        var watch = Stopwatch.StartNew();
        var outcomes = SeedBatch.Run(Enumerable.Range(first, SeedsPerCase).ToList());
        SeedBatch.ShouldAllPass(outcomes, watch);
    }
}
