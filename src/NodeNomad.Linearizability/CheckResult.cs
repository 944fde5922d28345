namespace NodeNomad.Linearizability;

/// <summary>What <see cref="LinearizabilityChecker.Check"/> found.</summary>
/// <param name="Verdict">Linearizable, not, or no verdict in time.</param>
/// <param name="Operations">How many operations the history holds.</param>
/// <param name="Partitions">How many partitions the model split it into.</param>
/// <param name="PartitionsChecked">How many partitions reached a verdict before the search stopped.</param>
/// <param name="Elapsed">How long the check took.</param>
/// <param name="Violation">For <see cref="Verdict.NotLinearizable"/>, why; otherwise null.</param>
public sealed record CheckResult(
    Verdict Verdict,
    int Operations,
    int Partitions,
    int PartitionsChecked,
    TimeSpan Elapsed,
    LinearizabilityViolation? Violation)
{
    /// <summary>A summary for people; for a violation, its explanation follows on the next lines.</summary>
    public string Message => Verdict switch
    {
        Verdict.Linearizable => FormattableString.Invariant(
            $"Linearizable: {Counted}, checked in {Elapsed.TotalMilliseconds:0.#} ms."),
        Verdict.NotLinearizable => FormattableString.Invariant(
            $"Not linearizable: {Counted}, checked in {Elapsed.TotalMilliseconds:0.#} ms.")
            + Environment.NewLine + Violation?.Describe(),
        _ => FormattableString.Invariant(
            $"No verdict: the search stopped after {Elapsed.TotalMilliseconds:0.#} ms with {PartitionsChecked} of {LinearizabilityViolation.Count(Partitions, "partition")} checked ({LinearizabilityViolation.Count(Operations, "operation")})."),
    };

    private string Counted => $"{LinearizabilityViolation.Count(Operations, "operation")} in {LinearizabilityViolation.Count(Partitions, "partition")}";

    /// <inheritdoc cref="Message"/>
    public override string ToString() => Message;
}
