namespace NodeNomad.Load.Reports;

/// <summary>
/// Everything one scenario run measured, as written to <c>report.json</c>; the Markdown and the charts are drawn from it.
/// Latencies are in milliseconds, from HdrHistograms in microseconds.
/// </summary>
internal sealed record RunReport(
    string Scenario,
    string Store,
    string Profile,
    int Seed,
    DateTimeOffset StartedAt,
    double Seconds,
    string Deployment,
    ScenarioSettings Settings,
    IReadOnlyList<PhaseReport> Phases,
    IReadOnlyList<OperationReport> Operations,
    ErrorCounts Errors,
    long RedirectsFollowed,
    IReadOnlyList<SecondReport> Timeline,
    IReadOnlyList<EventReport> Events,
    LossCheck LossCheck,
    IReadOnlyList<string> SilentMembers,
    IReadOnlyList<string> ErrorSamples,
    IReadOnlyList<string> Notes,
    HistoryCheck? History = null)
{
    /// <summary>Operations answered (including not-found reads and refused compare-and-sets) over the whole load.</summary>
    public long Answered => Phases.Sum(p => p.Answered);

    /// <summary>
    /// True when no acknowledged write was lost, every member still answers, and a recorded client history was judged
    /// linearizable: the run's verdict for CI. A history the checker could not judge in time does not pass.
    /// </summary>
    public bool Sound => LossCheck.Lost == 0 && SilentMembers.Count == 0 && History is null or { Verdict: nameof(Linearizability.Verdict.Linearizable) };
}

/// <summary>What the linearizability checker said of a chaos run's client history, saved beside the report as <c>history.edn</c>.</summary>
internal sealed record HistoryCheck(int Operations, int OutcomeUnknown, string Verdict, string Message)
{
    /// <summary>False when the checker stopped before it reached a verdict (Timeout).</summary>
    public bool Judged => Verdict is nameof(Linearizability.Verdict.Linearizable) or nameof(Linearizability.Verdict.NotLinearizable);
}

/// <summary>The scenario's knobs, as run.</summary>
internal sealed record ScenarioSettings(string Mix, string KeyDistribution, int Keys, int PreloadedKeys, int ValueBytes, int? TtlSeconds, double TimeoutSeconds);

/// <summary>One phase: how it was loaded and what it got.</summary>
/// <param name="StartSecond">Seconds from the start of the load to the phase's start.</param>
/// <param name="Answered">Operations answered in the phase.</param>
/// <param name="Latency">From when each operation was due (open loop) or sent (closed loop) to its answer.</param>
/// <param name="ServiceTime">From when each operation was sent to its answer.</param>
/// <param name="NotSent">Operations due in the phase that were never sent: the senders fell too far behind.</param>
internal sealed record PhaseReport(
    string Name,
    string Shape,
    double StartSecond,
    double Seconds,
    long Answered,
    double OperationsPerSecond,
    Latency Latency,
    Latency ServiceTime,
    ErrorCounts Errors,
    long NotSent);

/// <summary>Percentiles of a latency histogram, in milliseconds.</summary>
internal sealed record Latency(double P50, double P90, double P99, double P999, double Max);

/// <summary>One operation kind over the whole load.</summary>
internal sealed record OperationReport(string Kind, long Ok, long NotFound, long Conflict, long Errors, long NotSupported, Latency Latency);

/// <summary>Errors by kind. A 421 is not among them: it is followed, and counted apart.</summary>
internal sealed record ErrorCounts(long Timeout, long Unavailable, long Other)
{
    public long Total => Timeout + Unavailable + Other;
}

/// <summary>One second of the load (by when the operations were answered).</summary>
internal sealed record SecondReport(int Second, long Answered, long Errors, double P50, double P99);

/// <summary>Something that happened during the load: a phase began, a fault did a step.</summary>
internal sealed record EventReport(double Second, string Text);

/// <summary>
/// The check after the load: each key whose last acknowledged write is known (never deleted, no TTL) is read
/// linearizably, and must be at that write's version or later.
/// </summary>
internal sealed record LossCheck(long Checked, long Lost, long Unverified, string? FirstLost);
