namespace NodeNomad.Raft.Simulation.Tests;

/// <summary>How one seed's run ended: passed with its result, or failed with a report that says how to replay it.</summary>
internal sealed record SeedOutcome(int Seed, SimulationResult? Result, string? Failure, Exception? Cause, TimeSpan Elapsed)
{
    public bool Passed => Failure is null;
}
