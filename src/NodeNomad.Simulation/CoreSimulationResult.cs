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

    /// <summary>Drains the simulated operator asked for.</summary>
    public int Drains { get; init; }

    /// <summary>Drained or draining nodes the simulated operator brought back.</summary>
    public int Undrains { get; init; }

    /// <summary>Nodes killed for longer than DOWN_AFTER.</summary>
    public int LongKills { get; init; }

    /// <summary>Migrations done, by reason (manual, drain, join, repair).</summary>
    public IReadOnlyDictionary<string, int> MovesByReason { get; init; } = new Dictionary<string, int>();
}
