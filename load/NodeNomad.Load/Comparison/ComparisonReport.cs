using NodeNomad.Load.Reports;

namespace NodeNomad.Load.Comparison;

/// <summary>
/// What one <c>compare-report</c> measured: each store's runs of the writes and the reads, and each chaos round, with
/// how the run was made. <see cref="ComparisonMarkdown"/> writes it for people.
/// </summary>
/// <param name="Command">The command line that makes the run again (its seed included).</param>
/// <param name="MachineAtStart">The machine's load average when the run began.</param>
/// <param name="Seconds">How long the whole run took.</param>
internal sealed record ComparisonReport(
    DateTimeOffset StartedAt,
    string Command,
    string MachineAtStart,
    int SecondsPerRow,
    double Rate,
    int Seed,
    double Seconds,
    IReadOnlyList<ComparedRun> Runs,
    IReadOnlyList<RoundResult> Rounds)
{
    /// <summary>True when no run lost an acknowledged write or a member, and every chaos round did its fault and was judged linearizable.</summary>
    public bool Sound => Runs.All(r => r.Report.Sound) && Rounds.All(r => r.Sound);
}

/// <summary>One workload on one store.</summary>
/// <param name="Store">e.g. <c>NodeNomad, 3 nodes</c>.</param>
/// <param name="IsEtcd">True for the store the ratios divide by.</param>
/// <param name="Folder">The run's own report folder, relative to the comparison's folder.</param>
internal sealed record ComparedRun(string Store, bool IsEtcd, string Workload, string Folder, RunReport Report);

/// <summary>One chaos round: its fault, whether the fault could be done, and the run's report.</summary>
/// <param name="NotDone">Why the fault could not be done here (not root), or null when it was done.</param>
internal sealed record RoundResult(ChaosRound Round, string? NotDone, string Folder, RunReport Report)
{
    /// <summary>The fault was done, no acknowledged write was lost, every node answers, and the history is linearizable.</summary>
    public bool Sound => NotDone is null && Report.Sound;
}
