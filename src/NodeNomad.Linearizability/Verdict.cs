namespace NodeNomad.Linearizability;

/// <summary>What the checker concluded about a history.</summary>
public enum Verdict
{
    /// <summary>Some order of the operations, consistent with real time, satisfies the model.</summary>
    Linearizable,

    /// <summary>No such order exists, in at least one partition.</summary>
    NotLinearizable,

    /// <summary>The search was stopped (timeout or cancellation) before it reached a verdict.</summary>
    Timeout,
}
