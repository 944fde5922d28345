using NodeNomad.Raft;

namespace NodeNomad.Storage;

/// <summary>One group's durable state as found at recovery.</summary>
/// <param name="GroupId">The Raft group.</param>
/// <param name="HardState">The last hard state written for the group.</param>
/// <param name="Snapshot">The latest snapshot, or null when the group has none.</param>
/// <param name="Entries">The entries after the snapshot, contiguous and in index order.</param>
public sealed record RecoveredGroup(ulong GroupId, HardState HardState, Snapshot? Snapshot, IReadOnlyList<Entry> Entries)
{
    /// <summary>The index of the last entry, or of the snapshot when no entry follows it.</summary>
    public ulong LastIndex => Entries.Count > 0 ? Entries[^1].Index : Snapshot?.Metadata.Index ?? 0;
}

/// <summary>Everything a node's log held when it was opened.</summary>
/// <param name="Groups">Each group that has any durable state, by id.</param>
/// <param name="TruncatedTailBytes">Bytes of a torn last batch that recovery cut off (0 when the log ended cleanly).</param>
public sealed record RecoveredLog(IReadOnlyDictionary<ulong, RecoveredGroup> Groups, long TruncatedTailBytes);
