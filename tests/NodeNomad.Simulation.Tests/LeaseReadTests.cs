using NodeNomad.Raft;

namespace NodeNomad.Simulation.Tests;

/// <summary>
/// Leader leases under the node's own core: the same faults (but no process pauses, which no lease survives) with
/// reads confirmed by a quorum's recent heartbeat acknowledgements instead of a ReadIndex round. The node runs
/// ReadIndex; these seeds keep the lease mode honest for when a deployment can vouch for its clocks.
/// </summary>
public class LeaseReadTests(ITestOutputHelper output)
{
    [Fact]
    public void a_hundred_seeds_of_lease_reads_pass()
    {
        var outcomes = Enumerable.Range(5_001, 100).Select(seed => CoreSeedRunner.Run(seed, reads: ReadOnlyOption.LeaseBased)).ToList();
        var failures = outcomes.Where(o => !o.Passed).ToList();
        foreach (var failure in failures)
        {
            output.WriteLine(failure.Failure!);
        }

        failures.Select(f => f.Seed).ShouldBeEmpty(failures.FirstOrDefault()?.Failure);
        outcomes.ShouldAllBe(o => o.Result!.Settings.Reads == ReadOnlyOption.LeaseBased);
        outcomes.Sum(o => o.Result!.Completed).ShouldBeGreaterThan(1000);
    }
}
