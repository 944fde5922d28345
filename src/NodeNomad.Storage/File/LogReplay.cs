using System.Diagnostics;
using NodeNomad.Raft;

namespace NodeNomad.Storage;

/// <summary>What replaying the log found: each group's state, and the snapshots the log never recorded.</summary>
/// <param name="Groups">Every group with durable state.</param>
/// <param name="UnrecordedSnapshots">
/// Snapshot files newer than any snapshot the log records: the node stopped after making the file durable and
/// before the record was. Replay has already applied them; the log should record them before it grows further.
/// </param>
internal sealed record ReplayOutcome(IReadOnlyDictionary<ulong, RecoveredGroup> Groups, IReadOnlyList<StoredSnapshot> UnrecordedSnapshots);

/// <summary>
/// Rebuilds every group's log from the records of the kept segments, in order, on top of the newest snapshot
/// of each group in snap/. Records that contradict the log so far are corruption: the log never wrote them.
/// </summary>
internal sealed class LogReplay(IReadOnlyDictionary<ulong, StoredSnapshot> snapshots)
{
    private readonly Dictionary<ulong, GroupReplay> _groups = [];

    public void Apply(WalRecord record, RecordLocation location)
    {
        switch (record)
        {
            case BatchRecord batch:
                foreach (GroupRecord write in batch.Groups)
                {
                    GroupReplay group = Group(write.GroupId);
                    if (write.HardState is { } hardState)
                    {
                        group.HardState = hardState;
                    }

                    if (write.InstalledSnapshot is { } installed)
                    {
                        group.Install(installed, location);
                    }

                    foreach (Entry entry in write.Entries)
                    {
                        group.Append(entry, location);
                    }
                }

                break;
            case CompactionRecord compaction:
                Group(compaction.GroupId).Compact(compaction.Snapshot, location);
                break;
            default:
                throw new UnreachableException($"Unknown record {record.GetType().Name}.");
        }
    }

    public ReplayOutcome Finish()
    {
        foreach (ulong groupId in snapshots.Keys)
        {
            _ = Group(groupId);
        }

        var groups = new Dictionary<ulong, RecoveredGroup>();
        var unrecorded = new List<StoredSnapshot>();
        foreach (GroupReplay group in _groups.Values)
        {
            if (group.Finish() is { } recovered)
            {
                groups.Add(recovered.GroupId, recovered);
            }

            if (group.UnrecordedSnapshot is { } snapshot)
            {
                unrecorded.Add(snapshot);
            }
        }

        return new ReplayOutcome(groups, unrecorded);
    }

    private GroupReplay Group(ulong groupId)
    {
        if (!_groups.TryGetValue(groupId, out GroupReplay? group))
        {
            group = new GroupReplay(groupId, snapshots.GetValueOrDefault(groupId));
            _groups.Add(groupId, group);
        }

        return group;
    }

    /// <summary>One group's log as replayed so far.</summary>
    /// <param name="groupId">The group.</param>
    /// <param name="snapshot">The group's newest snapshot in snap/: the final snapshot, at or above every one the log records.</param>
    private sealed class GroupReplay(ulong groupId, StoredSnapshot? snapshot)
    {
        // Invariant: the entries are contiguous, and when there are any the last one is at _lastIndex.
        private readonly List<Entry> _entries = [];

        // Replay may start after segments that compaction deleted, so the group's last index is unknown until the
        // first entry or installed snapshot is replayed. Until then an entry must continue the final snapshot: a
        // segment is only deleted once all its entries are at or below their group's snapshot.
        private ulong? _lastIndex;

        private ulong _recordedSnapshotIndex;

        public HardState? HardState { get; set; }

        /// <summary>The snapshot file the log never recorded, once <see cref="Finish"/> ran; or null.</summary>
        public StoredSnapshot? UnrecordedSnapshot => snapshot is not null && _recordedSnapshotIndex < SnapshotIndex ? snapshot : null;

        private ulong SnapshotIndex => snapshot?.Point.Index ?? 0;

        public void Append(Entry entry, RecordLocation location)
        {
            ulong last = _lastIndex ?? SnapshotIndex;
            if (entry.Index == 0 || entry.Index > last + 1)
            {
                string after = _lastIndex is null ? $"the snapshot index {last}" : $"the last index {last}";
                throw location.Corruption($"entry {entry.Index} of group {groupId} leaves a gap after {after}; entries are missing");
            }

            // An entry at or below the last index replaces that entry and everything after it.
            int kept = _entries.Count == 0 || entry.Index <= _entries[0].Index ? 0 : (int)(entry.Index - _entries[0].Index);
            _entries.RemoveRange(kept, _entries.Count - kept);
            _entries.Add(entry);
            _lastIndex = entry.Index;
        }

        public void Install(SnapshotPoint point, RecordLocation location)
        {
            CheckRecorded(point, location);
            _entries.Clear();
            _lastIndex = point.Index;
        }

        public void Compact(SnapshotPoint point, RecordLocation location)
        {
            CheckRecorded(point, location);
            _entries.RemoveRange(0, CountUpTo(point.Index));
        }

        /// <summary>The group's recovered state, or null when it has none.</summary>
        public RecoveredGroup? Finish()
        {
            if (UnrecordedSnapshot is { Origin: SnapshotOrigin.Installed })
            {
                // The install's record never became durable, and nothing was written after it: finish the install.
                _entries.Clear();
            }

            ulong snapshotIndex = SnapshotIndex;
            List<Entry> entries = _entries[CountUpTo(snapshotIndex)..];
            Debug.Assert(entries.Count == 0 || entries[0].Index == snapshotIndex + 1, "Replay keeps the first entry at or below the snapshot index + 1.");
            if (HardState is null && snapshot is null && entries.Count == 0)
            {
                return null;
            }

            // Whatever a snapshot holds was committed; an older hard state may not know it yet.
            HardState hardState = HardState.GetValueOrDefault();
            if (hardState.Commit < snapshotIndex)
            {
                hardState = hardState with { Commit = snapshotIndex };
            }

            return new RecoveredGroup(groupId, hardState, snapshot?.Snapshot, entries);
        }

        private void CheckRecorded(SnapshotPoint point, RecordLocation location)
        {
            // A snapshot file is durable before its record is written, and older files are deleted only after a
            // newer one is recorded; so snap/ holds this snapshot or a newer one.
            if (point.Index == 0)
            {
                throw location.Corruption($"it records a snapshot of group {groupId} at index 0");
            }

            if (point.Index > SnapshotIndex)
            {
                throw location.Corruption($"it records a snapshot of group {groupId} at index {point.Index}, but snap/ holds none at or above that index");
            }

            if (point.Index == SnapshotIndex && point.Term != snapshot!.Point.Term)
            {
                throw location.Corruption($"it records the snapshot of group {groupId} at index {point.Index} with term {point.Term}, but the file has term {snapshot.Point.Term}");
            }

            _recordedSnapshotIndex = Math.Max(_recordedSnapshotIndex, point.Index);
        }

        private int CountUpTo(ulong index) =>
            _entries.Count == 0 || index < _entries[0].Index ? 0 : (int)Math.Min((ulong)_entries.Count, index - _entries[0].Index + 1);
    }
}
