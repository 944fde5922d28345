namespace NodeNomad.Raft.Simulation.Tests;

/// <summary>A seed is a complete description of a run: the same seed gives the same trace, event for event.</summary>
public class DeterminismTests
{
    [Theory]
    [InlineData(7)]
    [InlineData(31)]
    public void the_same_seed_gives_the_same_trace(int seed)
    {
        var first = SeedRunner.Run(seed);
        var second = SeedRunner.Run(seed);

        second.TraceHash.ShouldBe(first.TraceHash);
        second.Events.ShouldBe(first.Events);
        second.Failure.ShouldBe(first.Failure);
        second.Result?.History.Count.ShouldBe(first.Result?.History.Count ?? 0);
        SeedRunner.Run(seed + 1).TraceHash.ShouldNotBe(first.TraceHash);
    }
}
