using System.Diagnostics;
using NodeNomad.Raft;

namespace NodeNomad.Storage;

/// <summary>The newest snapshot of a group that the log records, and the record that last recorded it.</summary>
internal sealed record RecordedSnapshot(SnapshotPoint Point, RecordLocation Location);

/// <summary>
/// Rebuilds every group's log from the records of the kept segments, in order. The log decides which snapshot
/// is in effect: the newest one it records. Records that contradict the log so far are corruption.
/// </summary>
/// <param name="logDirectory">Where the segments are, for messages.</param>
/// <param name="newestSnapshotFiles">
/// Per group, the index of its newest file in snap/: when replay starts after deleted segments, the group's
/// entries resume at most one past it.
/// </param>
internal sealed class LogReplay(string logDirectory, IReadOnlyDictionary<ulong, ulong> newestSnapshotFiles)
{
    private readonly Dictionary<ulong, GroupReplay> _groups = [];

    /// <summary>Per group, the newest snapshot the records replayed so far record.</summary>
    public IReadOnlyDictionary<ulong, RecordedSnapshot> RecordedSnapshots =>
        _groups.Values.Where(g => g.Recorded is not null).ToDictionary(g => g.GroupId, g => g.Recorded!);

    public void Apply(WalRecord record, RecordLocation location)
    {
        switch (record)
        {
            case BatchRecord batch:
                foreach (ulong groupId in batch.Dropped)
                {
                    // What the records so far said of the group is void: what follows starts a log of its own, from
                    // nothing, whatever snapshot files of the group snap/ still holds.
                    _groups[groupId] = GroupReplay.Dropped(groupId);
                }

                foreach (GroupRecord write in batch.Groups)
                {
                    GroupReplay group = Group(write.GroupId);
                    group.HardState = write.HardState ?? group.HardState;
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
            case CheckpointRecord checkpoint:
                foreach (GroupCheckpoint state in checkpoint.Groups)
                {
                    GroupReplay group = Group(state.GroupId);
                    group.HardState = state.HardState ?? group.HardState;
                    if (state.Snapshot is { } snapshot)
                    {
                        group.Compact(snapshot, location);
                    }
                }

                break;
            default:
                throw new UnreachableException($"Unknown record {record.GetType().Name}.");
        }
    }

    /// <summary>Every group's recovered state, given the snapshots of <see cref="RecordedSnapshots"/> read from snap/.</summary>
    /// <exception cref="LogCorruptedException">A group's entries do not continue its snapshot.</exception>
    public IReadOnlyDictionary<ulong, RecoveredGroup> Finish(IReadOnlyDictionary<ulong, Snapshot> snapshots)
    {
        var groups = new Dictionary<ulong, RecoveredGroup>();
        foreach (GroupReplay group in _groups.Values)
        {
            if (group.Finish(snapshots.GetValueOrDefault(group.GroupId), logDirectory) is { } recovered)
            {
                groups.Add(recovered.GroupId, recovered);
            }
        }

        return groups;
    }

    private GroupReplay Group(ulong groupId)
    {
        if (!_groups.TryGetValue(groupId, out GroupReplay? group))
        {
            group = new GroupReplay(groupId, newestSnapshotFiles.GetValueOrDefault(groupId));
            _groups.Add(groupId, group);
        }

        return group;
    }

    /// <summary>One group's log as replayed so far.</summary>
    private sealed class GroupReplay(ulong groupId, ulong newestSnapshotFile)
    {
        // Invariant: the entries are contiguous, and when there are any the last one is at _lastIndex.
        private readonly List<Entry> _entries = [];

        // Replay may start after segments that compaction deleted, so the group's last index is unknown until the
        // first entry or installed snapshot is replayed. Until then an entry must continue a snapshot: a segment is
        // only deleted once all its entries are at or below their group's snapshot. Which snapshot is only known at
        // the end, so here the newest file bounds it, and Finish checks the entries against the recorded one.
        private ulong? _lastIndex;

        // A drop frees the segments of the group's entries at once, oldest first, while later segments may still hold
        // entries of it: replay can then meet the dropped log part-way, after a gap. Only a later tombstone tells that
        // apart from missing entries, so the first gap is held here, and Finish reports it for a group still alive.
        private LogCorruptedException? _gap;

        public ulong GroupId { get; } = groupId;

        public HardState? HardState { get; set; }

        /// <summary>A group whose log a drop just emptied: its entries start at index 1, or after an installed snapshot.</summary>
        public static GroupReplay Dropped(ulong groupId) => new(groupId, 0) { _lastIndex = 0 };

        public RecordedSnapshot? Recorded { get; private set; }

        public void Append(Entry entry, RecordLocation location)
        {
            if (entry.Index == 0)
            {
                throw location.Corruption($"it holds entry 0 of group {GroupId}; log indexes start at 1");
            }

            ulong last = _lastIndex ?? newestSnapshotFile;
            if (entry.Index > last + 1)
            {
                string after = _lastIndex is null ? $"the newest snapshot in snap/, at index {last}" : $"the last index {last}";
                _gap ??= location.Corruption($"entry {entry.Index} of group {GroupId} leaves a gap after {after}; entries are missing");
                _entries.Clear();
            }

            // An entry at or below the last index replaces that entry and everything after it.
            int kept = _entries.Count == 0 || entry.Index <= _entries[0].Index ? 0 : (int)(entry.Index - _entries[0].Index);
            _entries.RemoveRange(kept, _entries.Count - kept);
            _entries.Add(entry);
            _lastIndex = entry.Index;
        }

        public void Install(SnapshotPoint point, RecordLocation location)
        {
            Record(point, location);
            _entries.Clear();
            _lastIndex = point.Index;
        }

        public void Compact(SnapshotPoint point, RecordLocation location)
        {
            Record(point, location);

            // Finish drops them as well; dropping them here keeps replay's memory to the live part of the log.
            _entries.RemoveRange(0, CountUpTo(point.Index));
        }

        /// <summary>The group's recovered state, or null when it has none.</summary>
        /// <exception cref="LogCorruptedException">The group's entries have a gap, or do not continue its snapshot.</exception>
        public RecoveredGroup? Finish(Snapshot? snapshot, string logDirectory)
        {
            if (_gap is not null)
            {
                throw _gap;
            }

            ulong snapshotIndex = snapshot?.Metadata.Index ?? 0;
            Debug.Assert(snapshotIndex == (Recorded?.Point.Index ?? 0), "The snapshot is the one the log records.");

            List<Entry> entries = _entries[CountUpTo(snapshotIndex)..];
            if (entries.Count > 0 && entries[0].Index != snapshotIndex + 1)
            {
                throw LogDamage.Found(
                    $"The log in '{logDirectory}' is damaged: the entries of group {GroupId} resume at index {entries[0].Index} "
                    + $"after its snapshot at index {snapshotIndex}, so entries are missing");
            }

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

            return new RecoveredGroup(GroupId, hardState, snapshot, entries);
        }

        private void Record(SnapshotPoint point, RecordLocation location)
        {
            if (point.Index == 0)
            {
                throw location.Corruption($"it records a snapshot of group {GroupId} at index 0");
            }

            // Snapshot indexes only grow, and every checkpoint repeats the current one.
            if (Recorded is null || point.Index >= Recorded.Point.Index)
            {
                Recorded = new RecordedSnapshot(point, location);
            }
        }

        private int CountUpTo(ulong index) =>
            _entries.Count == 0 || index < _entries[0].Index ? 0 : (int)Math.Min((ulong)_entries.Count, index - _entries[0].Index + 1);
    }
}
