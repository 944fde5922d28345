using NodeNomad.Linearizability;

namespace NodeNomad.Simulation;

/// <summary>What one seed of the real-core simulation did, and the linearizability checker's verdict on its history.</summary>
public sealed record CoreSimulationResult(
    int Seed,
    CoreSimulationSettings Settings,
    ulong TraceHash,
    long Events,
    long EndedAt,
    int Crashes,
    int SaveFailures,
    int Partitions,
    int Completed,
    int Unknown,
    bool JoinerPromoted,
    int MovesDone,
    int Transfers,
    int StatesCompared,
    IReadOnlyList<Operation<NodeNomadKvInput, NodeNomadKvOutput>> History,
    CheckResult Check)
{
    /// <summary>Migrations that ended cancelled or rolled back.</summary>
    public int MovesUndone { get; init; }

    /// <summary>Cancellations the simulated operator asked for.</summary>
    public int Cancels { get; init; }
}
