namespace NodeNomad.Linearizability;

/// <summary>What the search concluded about one partition; <see cref="Verdict.Timeout"/> when it was stopped.</summary>
internal sealed record PartitionOutcome(Verdict Verdict, LinearizabilityViolation? Violation)
{
    public static readonly PartitionOutcome Linearizable = new(Verdict.Linearizable, null);

    public static readonly PartitionOutcome Stopped = new(Verdict.Timeout, null);
}
