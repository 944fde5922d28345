namespace NodeNomad.Storage.Marten;

// A stored shape: public for Marten's generated code and its serializer. Renaming a type or property changes the stored format.
/// <summary>What one group's log recorded: a hard state, a snapshot the log continues after, then entries.</summary>
public sealed class GroupRecord
{
    /// <summary>The Raft group.</summary>
    public ulong GroupId { get; set; }

    /// <summary>The new hard state, or null when unchanged.</summary>
    public HardStateRecord? HardState { get; set; }

    /// <summary>A snapshot the log now continues after (installed, or in effect at a generation's start); or null.</summary>
    public SnapshotPointRecord? Snapshot { get; set; }

    /// <summary>Entries in ascending, contiguous order; the first may replace a suffix of the log.</summary>
    public List<EntryRecord> Entries { get; set; } = [];
}
