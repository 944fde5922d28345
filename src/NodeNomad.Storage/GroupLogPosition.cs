using NodeNomad.Raft;

namespace NodeNomad.Storage;

/// <summary>
/// Where a group's log stands: the index of its latest snapshot (0 when none) and its last index (of the last
/// entry, or of the snapshot when no entry follows it). Every write must continue from here; that keeps each
/// group's log contiguous after its snapshot, which recovery relies on to tell a complete log from a damaged one.
/// </summary>
internal readonly record struct GroupLogPosition(ulong SnapshotIndex, ulong LastIndex)
{
    /// <summary>
    /// Checks every group write of <paramref name="batch"/> against its log (empty for a group the batch drops), and
    /// returns where each log stands after the batch.
    /// </summary>
    /// <exception cref="ArgumentException">A group is written twice, or a write does not continue its log.</exception>
    public static Dictionary<ulong, GroupLogPosition> AfterBatch(LogBatch batch, IReadOnlyDictionary<ulong, GroupLogPosition> positions)
    {
        var after = new Dictionary<ulong, GroupLogPosition>();
        foreach (GroupWrite write in batch.Groups)
        {
            GroupLogPosition before = batch.Dropped.Contains(write.GroupId) ? default : positions.GetValueOrDefault(write.GroupId);
            if (!after.TryAdd(write.GroupId, before.After(write)))
            {
                throw new ArgumentException($"Group {write.GroupId} appears twice in the batch; a batch holds one write per group.", nameof(batch));
            }
        }

        return after;
    }

    /// <summary>Checks that <paramref name="write"/> continues this log and returns where the log stands after it.</summary>
    /// <exception cref="ArgumentException">
    /// The entries are not ascending and contiguous, would leave a gap after the last index, would rewrite entries
    /// the snapshot already covers, or the installed snapshot is not newer than the group's.
    /// </exception>
    public GroupLogPosition After(GroupWrite write)
    {
        GroupLogPosition start = this;
        if (write.Snapshot is { Metadata.Index: var installed })
        {
            if (installed <= SnapshotIndex)
            {
                throw Rejected(write.GroupId, $"the installed snapshot at index {installed} is not newer than the group's snapshot at index {SnapshotIndex}");
            }

            // Installing empties the log: the entries that follow must continue right after the snapshot.
            start = new GroupLogPosition(installed, installed);
        }

        IReadOnlyList<Entry> entries = write.Entries;
        if (entries.Count == 0)
        {
            return start;
        }

        ulong first = entries[0].Index;
        if (first == 0)
        {
            throw Rejected(write.GroupId, "log indexes start at 1");
        }

        if (first <= start.SnapshotIndex)
        {
            throw Rejected(write.GroupId, $"entry {first} is at or below the snapshot index {start.SnapshotIndex}; compacted entries cannot be rewritten");
        }

        if (first > start.LastIndex + 1)
        {
            throw Rejected(write.GroupId, $"entry {first} leaves a gap after the last index {start.LastIndex}");
        }

        for (int i = 0; i < entries.Count; i++)
        {
            if (i > 0 && entries[i].Index != entries[i - 1].Index + 1)
            {
                throw Rejected(write.GroupId, $"entry {entries[i].Index} follows entry {entries[i - 1].Index}; entries must be ascending and contiguous");
            }

            if (!Enum.IsDefined(entries[i].Type))
            {
                throw Rejected(write.GroupId, $"entry {entries[i].Index} has the unknown type {(byte)entries[i].Type}");
            }
        }

        return new GroupLogPosition(start.SnapshotIndex, entries[^1].Index);
    }

    /// <summary>Checks that the group may be compacted up to <paramref name="snapshot"/> and returns where the log stands after it.</summary>
    /// <exception cref="ArgumentException">The snapshot is not newer than the group's, or lies beyond its last index.</exception>
    public GroupLogPosition AfterCompaction(ulong groupId, SnapshotMetadata snapshot)
    {
        if (snapshot.Index <= SnapshotIndex)
        {
            throw Rejected(groupId, $"the snapshot at index {snapshot.Index} is not newer than the group's snapshot at index {SnapshotIndex}", nameof(snapshot));
        }

        if (snapshot.Index > LastIndex)
        {
            throw Rejected(groupId, $"the snapshot at index {snapshot.Index} lies beyond the group's last index {LastIndex}", nameof(snapshot));
        }

        return this with { SnapshotIndex = snapshot.Index };
    }

    private static ArgumentException Rejected(ulong groupId, string reason, string parameter = "batch") =>
        new($"Group {groupId}: {reason}.", parameter);
}
