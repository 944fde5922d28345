using NodeNomad.Linearizability;

namespace NodeNomad.Raft.Simulation.Tests;

/// <summary>What one run did, and what the linearizability checker made of its clients' history.</summary>
internal sealed record SimulationResult(
    int Seed,
    SimulationSettings Settings,
    ulong TraceHash,
    long Events,
    long VirtualTime,
    long ConvergedAfter,
    int Leaders,
    ulong Committed,
    FaultCounts Faults,
    int OperationsCompleted,
    int OperationsUnknown,
    IReadOnlyList<Operation<NodeNomadKvInput, NodeNomadKvOutput>> History,
    CheckResult Check)
{
    public override string ToString() =>
        $"seed {Seed}: {Events} events over {VirtualTime} virtual ms, {Leaders} leaders, {Committed} entries applied, {Faults}; " +
        $"{OperationsCompleted} operations answered, {OperationsUnknown} unknown; converged {ConvergedAfter} ms after healing; trace {TraceHash:x16}";
}
