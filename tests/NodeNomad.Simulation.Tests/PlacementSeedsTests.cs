using NodeNomad.Core.Cluster;

namespace NodeNomad.Simulation.Tests;

/// <summary>
/// The real-core simulation with the placement driver on: nodes drained and brought back, a node killed past
/// DOWN_AFTER, the fifth node joining. 400 fixed seeds in eight cases; each must end with every shard at its replication
/// factor on active nodes that are up, no node draining, drained nodes empty, and the linearizable history and
/// invariants of every seed. A failure prints the seed's report and the command replaying it.
/// </summary>
public class PlacementSeedsTests(ITestOutputHelper output)
{
    private const int SeedsPerCase = 50;

    [Theory]
    [InlineData(1)]
    [InlineData(51)]
    [InlineData(101)]
    [InlineData(151)]
    [InlineData(201)]
    [InlineData(251)]
    [InlineData(301)]
    [InlineData(351)]
    public void a_fixed_set_of_400_placement_seeds_all_pass(int first)
    {
        var failures = Enumerable.Range(first, SeedsPerCase).Select(seed => CoreSeedRunner.Run(seed, placement: true)).Where(o => !o.Passed).ToList();
        foreach (var failure in failures)
        {
            output.WriteLine(failure.Failure!);
        }

        failures.Select(f => f.Seed).ShouldBeEmpty(string.Join(Environment.NewLine + Environment.NewLine, failures.Take(2).Select(f => f.Failure)));
    }

    [Fact]
    public void the_seeds_drain_repair_and_join_through_the_placement_driver()
    {
        var results = Enumerable.Range(1, 20).Select(seed => CoreSeedRunner.Run(seed, placement: true).Result!).ToList();
        int Done(string reason) => results.Sum(r => r.MovesByReason.GetValueOrDefault(reason));
        results.Sum(r => r.Drains).ShouldBeGreaterThan(10);
        results.Sum(r => r.Undrains).ShouldBeGreaterThan(2);
        results.Sum(r => r.LongKills).ShouldBeGreaterThan(15);
        Done(PlacementPolicy.Drain).ShouldBeGreaterThan(10, "replicas leave draining nodes");
        Done(PlacementPolicy.Repair).ShouldBeGreaterThan(5, "replicas of nodes down past DOWN_AFTER are re-created elsewhere");
        Done(PlacementPolicy.Join).ShouldBeGreaterThan(10, "the joining and undrained nodes receive their share");
        Done("manual").ShouldBe(0, "the operator moves nothing by hand in these runs");
    }
}
