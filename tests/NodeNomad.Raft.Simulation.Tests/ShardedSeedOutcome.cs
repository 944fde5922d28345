namespace NodeNomad.Raft.Simulation.Tests;

/// <summary>How one sharded seed's run ended: passed with its result, or failed with a report that says how to replay it.</summary>
/// <param name="Seed">The seed.</param>
/// <param name="Result">What the run did, when it got as far as the linearizability check.</param>
/// <param name="Failure">The report, or null when the seed passed.</param>
/// <param name="Elapsed">Wall-clock time of the run.</param>
/// <param name="TraceHash">The hash of every event up to the end (or the failure): equal for equal seeds.</param>
/// <param name="Events">How many events ran.</param>
internal sealed record ShardedSeedOutcome(int Seed, ShardedSimulationResult? Result, string? Failure, TimeSpan Elapsed, ulong TraceHash, long Events)
{
    public bool Passed => Failure is null;
}
