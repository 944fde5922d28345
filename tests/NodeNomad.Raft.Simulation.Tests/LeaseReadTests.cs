using System.Diagnostics;
using NodeNomad.Raft;

namespace NodeNomad.Raft.Simulation.Tests;

/// <summary>
/// Lease-based reads under the same faults (without process pauses, which no lease survives: its clock stops).
/// Seed 94 is the schedule that once caught an isolated leader answering a lease read after its successor had
/// committed a write.
/// </summary>
public class LeaseReadTests
{
    [Fact]
    public void lease_based_reads_never_miss_a_finished_write()
    {
        var outcome = SeedRunner.Run(94, readOnly: ReadOnlyOption.LeaseBased);
        if (!outcome.Passed)
        {
            throw new ShouldAssertException(outcome.Failure);
        }
    }

    [Fact]
    public void fifty_seeds_of_lease_based_reads_pass()
    {
        var watch = Stopwatch.StartNew();
        var outcomes = Enumerable.Range(1_000, 50).Select(seed => SeedRunner.Run(seed, readOnly: ReadOnlyOption.LeaseBased)).ToList();
        SeedBatch.ShouldAllPass(outcomes, watch);
    }
}
