namespace NodeNomad.Linearizability;

/// <summary>
/// One operation of a history: a client called at <see cref="Call"/> and was answered <see cref="Output"/> at
/// <see cref="Return"/>. Times are any monotonic clock shared by all clients (ticks, nanoseconds, line numbers);
/// only their order matters, and an operation that returns at the same time another is called counts as
/// concurrent with it.
/// </summary>
/// <remarks>
/// An operation whose outcome is unknown (the client timed out, or crashed, before an answer) may have taken
/// effect at any time after its call, or never: it is treated as returning at +infinity with an answer that
/// the model must accept whatever it is (<see cref="Model{TState, TInput, TOutput}.StepUnobserved"/>).
/// An operation known not to have happened (a definite failure) belongs in no history at all.
/// </remarks>
public sealed record Operation<TInput, TOutput>
{
    /// <summary>An operation that was answered.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="return"/> is before <paramref name="call"/>.</exception>
    public Operation(int clientId, TInput input, long call, TOutput output, long @return)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(@return, call);
        ClientId = clientId;
        Input = input;
        Call = call;
        Output = output;
        Return = @return;
    }

    /// <summary>An operation whose outcome is unknown: called, never answered.</summary>
    public Operation(int clientId, TInput input, long call)
    {
        ClientId = clientId;
        Input = input;
        Call = call;
        Output = default!;
        Return = long.MaxValue;
        IsOutcomeUnknown = true;
    }

    /// <summary>Which client (Jepsen: process) ran it. A client runs one operation at a time.</summary>
    public int ClientId { get; }

    /// <summary>What the client asked for.</summary>
    public TInput Input { get; }

    /// <summary>When the client called.</summary>
    public long Call { get; }

    /// <summary>What the client was answered; meaningless when <see cref="IsOutcomeUnknown"/>.</summary>
    public TOutput Output { get; }

    /// <summary>When the client was answered; <see cref="long.MaxValue"/> when <see cref="IsOutcomeUnknown"/>.</summary>
    public long Return { get; }

    /// <summary>True when the client never learnt the outcome: the operation may or may not have taken effect.</summary>
    public bool IsOutcomeUnknown { get; }
}
