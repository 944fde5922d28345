using NodeNomad.Linearizability;

namespace NodeNomad.Raft.Simulation.Tests;

/// <summary>What one sharded run did, and what the linearizability checker made of its clients' history.</summary>
internal sealed record ShardedSimulationResult(
    int Seed,
    ShardedSimulationSettings Settings,
    ulong TraceHash,
    long Events,
    long VirtualTime,
    long ConvergedAfter,
    int Leaders,
    ulong Committed,
    FaultCounts Faults,
    int Moves,
    int StaleEpochRedirects,
    int NotHostingRedirects,
    int OperationsCompleted,
    int OperationsUnknown,
    IReadOnlyList<Operation<NodeNomadKvInput, NodeNomadKvOutput>> History,
    CheckResult Check)
{
    public override string ToString() =>
        $"seed {Seed}: {Events} events over {VirtualTime} virtual ms, {Leaders} leaders, {Committed} entries applied, {Moves} replica moves, {Faults}; " +
        $"{StaleEpochRedirects} stale-epoch and {NotHostingRedirects} not-hosting redirects, " +
        $"{OperationsCompleted} operations answered, {OperationsUnknown} unknown; converged {ConvergedAfter} ms after healing; trace {TraceHash:x16}";
}
