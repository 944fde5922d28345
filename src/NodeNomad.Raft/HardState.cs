namespace NodeNomad.Raft;

/// <summary>
/// The part of a replica's Raft state that must survive a crash before it answers anyone: the term it has
/// seen, whom it voted for in that term, and the highest index it knows to be committed.
/// </summary>
/// <param name="Term">The latest term this replica has seen.</param>
/// <param name="Vote">The replica voted for in <paramref name="Term"/>, or 0 for none.</param>
/// <param name="Commit">The highest log index known to be committed.</param>
public readonly record struct HardState(ulong Term, ulong Vote, ulong Commit)
{
    /// <summary>The state of a replica that has seen nothing.</summary>
    public static HardState Empty => default;

    /// <summary>Whether nothing has been recorded yet.</summary>
    public bool IsEmpty => Term == 0 && Vote == 0 && Commit == 0;
}
