namespace NodeNomad.Raft;

/// <summary>What a log entry carries.</summary>
public enum EntryType : byte
{
    /// <summary>A command for the group's state machine (or an empty entry a new leader appends).</summary>
    Normal = 0,

    /// <summary>A change of the group's membership.</summary>
    ConfChange = 1,
}

/// <summary>
/// One entry of a Raft group's log. Index and term identify it: two logs that hold an entry with the same
/// index and term are identical up to that index (the log matching property).
/// </summary>
/// <param name="Index">Position in the group's log, starting at 1.</param>
/// <param name="Term">Term of the leader that created the entry.</param>
/// <param name="Type">Whether the entry is a command or a membership change.</param>
/// <param name="Data">The opaque payload; empty for a new leader's no-op entry.</param>
public readonly record struct Entry(ulong Index, ulong Term, EntryType Type, ReadOnlyMemory<byte> Data)
{
    /// <summary>A command entry.</summary>
    public static Entry Command(ulong index, ulong term, ReadOnlyMemory<byte> data) => new(index, term, EntryType.Normal, data);

    /// <summary>Whether two entries hold the same index, term, type and bytes.</summary>
    public bool SameAs(Entry other) =>
        Index == other.Index && Term == other.Term && Type == other.Type && Data.Span.SequenceEqual(other.Data.Span);
}
