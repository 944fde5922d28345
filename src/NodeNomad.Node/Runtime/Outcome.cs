namespace NodeNomad.Node.Runtime;

/// <summary>How a proposal or a read that entered the node core ended.</summary>
public enum OutcomeKind
{
    /// <summary>Committed and applied (a proposal), or confirmed and caught up with (a read).</summary>
    Done,

    /// <summary>This replica does not lead its group; <see cref="Outcome.Leader"/> names the node that does, when known.</summary>
    NotLeader,

    /// <summary>The group cannot answer now (no quorum, the node's log failed, the node stops, leadership moved mid-way).</summary>
    Unavailable,
}

/// <summary>
/// The end of a proposal or a read. Expected failures are outcomes, not exceptions, so one place
/// (<c>Api/OutcomeAnswers</c>) turns them into HTTP answers or forwards.
/// </summary>
/// <param name="Kind">How it ended.</param>
/// <param name="Value">What applying the command returned (a proposal that is <see cref="OutcomeKind.Done"/>).</param>
/// <param name="Leader">The node that leads, for <see cref="OutcomeKind.NotLeader"/> (null: none known).</param>
/// <param name="Reason">Why, for <see cref="OutcomeKind.Unavailable"/> and <see cref="OutcomeKind.NotLeader"/>.</param>
/// <param name="ReadTime">For a confirmed linearizable read: the time (Unix milliseconds) its leader vouched for, at
/// which expiry is judged; 0 when none was carried.</param>
public readonly record struct Outcome(OutcomeKind Kind, object? Value, string? Leader, string? Reason, long ReadTime)
{
    /// <summary>Whether it is <see cref="OutcomeKind.Done"/>.</summary>
    public bool IsDone => Kind == OutcomeKind.Done;

    /// <summary>A proposal that committed with <paramref name="value"/>.</summary>
    public static Outcome Applied(object? value) => new(OutcomeKind.Done, value, null, null, 0);

    /// <summary>A read confirmed at the time <paramref name="readTime"/> its leader vouched for.</summary>
    public static Outcome Confirmed(long readTime) => new(OutcomeKind.Done, null, null, null, readTime);

    /// <summary>This replica does not lead; <paramref name="leader"/> does (null: none known).</summary>
    public static Outcome NotLeaderHere(string? leader) =>
        new(OutcomeKind.NotLeader, null, leader, leader is null ? "No leader is known: an election is in progress." : $"{leader} leads the group.", 0);

    /// <summary>The group cannot answer now, for <paramref name="reason"/>.</summary>
    public static Outcome Unavailable(string reason) => new(OutcomeKind.Unavailable, null, null, reason, 0);
}
