namespace NodeNomad.Linearizability;

/// <summary>What <see cref="HistoryFile.Check"/> found.</summary>
/// <param name="Verdict">Linearizable, not, no verdict in time, or unreadable.</param>
/// <param name="Format">The format recognised; null when none was.</param>
/// <param name="Operations">How many operations the history holds (0 when unreadable).</param>
/// <param name="Partitions">How many partitions it was checked in (0 when unreadable).</param>
/// <param name="Elapsed">How long reading, parsing and checking took.</param>
/// <param name="Message">For people: the verdict, and for a violation or an unreadable file, why.</param>
/// <param name="Violation">For <see cref="HistoryFileVerdict.NotLinearizable"/>, the details; otherwise null.</param>
public sealed record HistoryFileResult(
    HistoryFileVerdict Verdict,
    HistoryFormat? Format,
    int Operations,
    int Partitions,
    TimeSpan Elapsed,
    string Message,
    LinearizabilityViolation? Violation)
{
    /// <inheritdoc cref="Message"/>
    public override string ToString() => Message;
}
