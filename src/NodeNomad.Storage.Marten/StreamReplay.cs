using NodeNomad.Raft;

namespace NodeNomad.Storage.Marten;

/// <summary>
/// Rebuilds every group's log from the events of the current stream generation, in order. Events that contradict
/// the log so far, or snapshot documents the log does not record, are corruption.
/// </summary>
internal sealed class StreamReplay(string streamKey)
{
    private readonly SortedDictionary<ulong, GroupReplay> _groups = [];

    /// <summary>A copy to change without changing this one (for a new generation, named <paramref name="key"/>): the entries are shared, being immutable.</summary>
    public StreamReplay Clone(string key)
    {
        var copy = new StreamReplay(key);
        foreach (GroupReplay group in _groups.Values)
        {
            copy._groups.Add(group.GroupId, group.Clone());
        }

        return copy;
    }

    public void Apply(GroupRecord write, long version)
    {
        if (!_groups.TryGetValue(write.GroupId, out GroupReplay? group))
        {
            group = new GroupReplay(write.GroupId);
            _groups.Add(write.GroupId, group);
        }

        if (write.HardState is { } hardState)
        {
            group.HardState = new HardState(hardState.Term, hardState.Vote, hardState.Commit);
        }

        if (write.Snapshot is { } snapshot)
        {
            group.Install(snapshot.Index, snapshot.Term);
        }

        foreach (EntryRecord entry in write.Entries)
        {
            if (entry.Index <= group.SnapshotIndex || entry.Index > group.LastIndex + 1)
            {
                throw Corruption($"event {version} holds entry {entry.Index} of group {write.GroupId}, outside its log ({group.SnapshotIndex}, {group.LastIndex + 1}]");
            }

            group.Append(new Entry(entry.Index, entry.Term, entry.Type, entry.Data));
        }
    }

    /// <summary>Forgets a group, as a batch that drops it does; a later write of the same id starts a new group.</summary>
    public void Drop(ulong groupId) => _ = _groups.Remove(groupId);

    /// <summary>Drops a group's entries up to <paramref name="snapshot"/>, as a compaction does.</summary>
    public void Compact(ulong groupId, SnapshotMetadata snapshot) => _groups[groupId].Compact(snapshot.Index, snapshot.Term);

    /// <summary>Every group as the first event of a new generation records it.</summary>
    public List<GroupRecord> Checkpoint() =>
        [.. _groups.Values.Select(g => new GroupRecord
        {
            GroupId = g.GroupId,
            HardState = g.HardState is { } h ? new HardStateRecord { Term = h.Term, Vote = h.Vote, Commit = h.Commit } : null,
            Snapshot = g.SnapshotIndex > 0 ? new SnapshotPointRecord { Index = g.SnapshotIndex, Term = g.SnapshotTerm } : null,
            Entries = [.. g.Entries.Select(MartenRaftLog.ToRecord)],
        })];

    /// <summary>Every group's recovered state, given the node's snapshot documents.</summary>
    /// <exception cref="LogCorruptedException">The documents and the log disagree about a snapshot.</exception>
    public Dictionary<ulong, RecoveredGroup> Finish(IReadOnlyDictionary<ulong, Snapshot> snapshots)
    {
        foreach (ulong groupId in snapshots.Keys.Where(id => !_groups.ContainsKey(id)))
        {
            throw Corruption($"a snapshot document of group {groupId} exists but the log does not record it");
        }

        var groups = new Dictionary<ulong, RecoveredGroup>();
        foreach (GroupReplay group in _groups.Values)
        {
            Snapshot? snapshot = snapshots.GetValueOrDefault(group.GroupId);
            if ((snapshot?.Metadata.Index ?? 0) != group.SnapshotIndex || (snapshot?.Metadata.Term ?? 0) != group.SnapshotTerm)
            {
                throw Corruption($"group {group.GroupId}'s log records a snapshot at {group.SnapshotIndex}/{group.SnapshotTerm} but its document holds "
                    + (snapshot is null ? "none" : $"{snapshot.Metadata.Index}/{snapshot.Metadata.Term}"));
            }

            if (group.HardState is null && snapshot is null && group.Entries.Count == 0)
            {
                continue;
            }

            // Whatever a snapshot holds was committed; an older hard state may not know it yet.
            HardState hardState = group.HardState.GetValueOrDefault();
            if (hardState.Commit < group.SnapshotIndex)
            {
                hardState = hardState with { Commit = group.SnapshotIndex };
            }

            groups.Add(group.GroupId, new RecoveredGroup(group.GroupId, hardState, snapshot, [.. group.Entries]));
        }

        return groups;
    }

    private LogCorruptedException Corruption(string reason) => new($"The log in stream '{streamKey}' is damaged: {reason}.");

    /// <summary>One group's log as replayed so far. Invariant: the entries follow the snapshot contiguously.</summary>
    private sealed class GroupReplay(ulong groupId)
    {
        public ulong GroupId { get; } = groupId;

        public HardState? HardState { get; set; }

        public ulong SnapshotIndex { get; private set; }

        public ulong SnapshotTerm { get; private set; }

        public List<Entry> Entries { get; } = [];

        public ulong LastIndex => Entries.Count > 0 ? Entries[^1].Index : SnapshotIndex;

        public GroupReplay Clone()
        {
            var copy = new GroupReplay(GroupId) { HardState = HardState, SnapshotIndex = SnapshotIndex, SnapshotTerm = SnapshotTerm };
            copy.Entries.AddRange(Entries);
            return copy;
        }

        public void Install(ulong index, ulong term)
        {
            SnapshotIndex = index;
            SnapshotTerm = term;
            Entries.Clear();
        }

        public void Compact(ulong index, ulong term)
        {
            Entries.RemoveRange(0, (int)Math.Min((ulong)Entries.Count, index - SnapshotIndex));
            SnapshotIndex = index;
            SnapshotTerm = term;
        }

        public void Append(Entry entry)
        {
            // An entry at or below the last index replaces that entry and everything after it.
            int kept = (int)(entry.Index - SnapshotIndex - 1);
            Entries.RemoveRange(kept, Entries.Count - kept);
            Entries.Add(entry);
        }
    }
}
