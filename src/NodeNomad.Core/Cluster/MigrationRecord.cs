using NodeNomad.Contracts;

namespace NodeNomad.Core.Cluster;

/// <summary>One step a migration reached, and when (Unix milliseconds of the node that recorded it).</summary>
/// <param name="State">The state entered (<see cref="MigrationStates"/>).</param>
/// <param name="At">When it was entered.</param>
/// <param name="Detail">What the step saw (the learner's lag, the leader it handed over to, an error).</param>
public sealed record MigrationStep(string State, long At, string? Detail);

/// <summary>
/// A move of shard <paramref name="ShardId"/>'s replica from <paramref name="Source"/> to <paramref name="Target"/>,
/// as the meta group records it: every step is a meta command, so whichever node leads the shard (or the meta group)
/// next resumes it from here.
/// </summary>
/// <param name="Id">The migration's id (<c>m-</c> and the meta index that accepted it).</param>
/// <param name="ShardId">The shard whose replica moves.</param>
/// <param name="Source">The node giving the replica up.</param>
/// <param name="Target">The node receiving it.</param>
/// <param name="Reason">Why it runs: manual, rebalance, join, drain, repair.</param>
/// <param name="RequestedBy">Who asked (the API caller's name, or the placement driver).</param>
/// <param name="State">Where it stands (<see cref="MigrationStates"/>).</param>
/// <param name="Steps">Every state it entered, in order.</param>
/// <param name="CancelRequested">Whether an operator asked to cancel it; the shard's leader undoes it at its next step.</param>
/// <param name="Error">Why it failed or was rolled back.</param>
public sealed record MigrationRecord(
    string Id,
    int ShardId,
    string Source,
    string Target,
    string Reason,
    string RequestedBy,
    string State,
    IReadOnlyList<MigrationStep> Steps,
    bool CancelRequested = false,
    string? Error = null)
{
    /// <summary>
    /// The node whose replica is to lead the shard once the move is done, or null: the load rebalancer moves a replica
    /// to bring a shard's leadership (and the requests it serves) to a node, and hands the leadership over afterwards.
    /// </summary>
    public string? LeadershipTo { get; init; }

    /// <summary>How many ended migrations the map keeps as history.</summary>
    public const int HistoryKept = 50;

    /// <summary>Whether it has ended.</summary>
    public bool IsFinal => MigrationStates.IsFinal(State);

    /// <summary>When it was accepted.</summary>
    public long CreatedAt => Steps.Count > 0 ? Steps[0].At : 0;

    /// <summary>When it last changed.</summary>
    public long UpdatedAt => Steps.Count > 0 ? Steps[^1].At : 0;

    /// <summary>This migration in <paramref name="state"/> from <paramref name="at"/> on.</summary>
    public MigrationRecord Enter(string state, long at, string? detail = null) =>
        this with { State = state, Steps = [.. Steps, new MigrationStep(state, at, detail)] };
}
