namespace NodeNomad.Raft.Simulation.Tests;

/// <summary>A seed is a complete description of a sharded run too: the same seed gives the same trace, event for event.</summary>
public class ShardedDeterminismTests
{
    [Theory]
    [InlineData(7)]
    [InlineData(31)]
    public void the_same_sharded_seed_gives_the_same_trace(int seed)
    {
        var first = ShardedSeedRunner.Run(seed);
        var second = ShardedSeedRunner.Run(seed);

        second.TraceHash.ShouldBe(first.TraceHash);
        second.Events.ShouldBe(first.Events);
        second.Failure.ShouldBe(first.Failure);
        second.Result?.History.Count.ShouldBe(first.Result?.History.Count ?? 0);
        ShardedSeedRunner.Run(seed + 1).TraceHash.ShouldNotBe(first.TraceHash);
    }
}
