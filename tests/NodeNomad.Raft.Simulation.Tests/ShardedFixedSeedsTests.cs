using System.Diagnostics;

namespace NodeNomad.Raft.Simulation.Tests;

/// <summary>
/// Sharded seeds 0 to 199, fifty per case so that progress shows. A failure prints each failing seed's replay
/// command and the first one's report: the broken invariant (or the checker's verdict), the nodes, the last events.
/// </summary>
public class ShardedFixedSeedsTests
{
    private const int SeedsPerCase = 50;

    [Theory]
    [InlineData(0)]
    [InlineData(50)]
    [InlineData(100)]
    [InlineData(150)]
    public void a_fixed_set_of_200_sharded_seeds_all_pass(int first)
    {
        var watch = Stopwatch.StartNew();
        var outcomes = ShardedSeedBatch.Run(Enumerable.Range(first, SeedsPerCase).ToList());
        ShardedSeedBatch.ShouldAllPass(outcomes, watch);
    }
}
