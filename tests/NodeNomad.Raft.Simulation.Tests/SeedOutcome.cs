namespace NodeNomad.Raft.Simulation.Tests;

/// <summary>How one seed's run ended: passed with its result, or failed with a report that says how to replay it.</summary>
/// <param name="Seed">The seed.</param>
/// <param name="Result">What the run did, when it got as far as the linearizability check.</param>
/// <param name="Failure">The report, or null when the seed passed.</param>
/// <param name="Cause">The exception that stopped the run, if one did.</param>
/// <param name="Elapsed">Wall-clock time of the run.</param>
/// <param name="TraceHash">The hash of every event up to the end (or the failure): equal for equal seeds.</param>
/// <param name="Events">How many events ran.</param>
/// <param name="HistoryPath">Where the history was written when the checker rejected it; null otherwise.</param>
internal sealed record SeedOutcome(int Seed, SimulationResult? Result, string? Failure, Exception? Cause, TimeSpan Elapsed, ulong TraceHash, long Events, string? HistoryPath = null)
{
    public bool Passed => Failure is null;
}
