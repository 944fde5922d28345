using NodeNomad.Raft;
using NodeNomad.Storage;

namespace NodeNomad.Simulation;

/// <summary>
/// What one simulated node has made durable, for every group it hosts: the semantics of <see cref="IRaftLog"/>
/// (a snapshot replaces a group's log; entries replace any conflicting suffix; a compaction drops only what its
/// snapshot covers) without a disk. A crash keeps exactly this. Terms and votes on it must never go back.
/// </summary>
public sealed class SimulatedLog
{
    private readonly SortedDictionary<ulong, GroupDisk> _groups = [];

    /// <summary>Makes the whole batch durable at once, as one record of the file log or one Marten transaction.</summary>
    public void Save(LogBatch batch)
    {
        foreach (var groupId in batch.Dropped)
        {
            _groups.Remove(groupId);
        }

        foreach (var write in batch.Groups)
        {
            var disk = Disk(write.GroupId);
            if (write.Snapshot is { } snapshot)
            {
                disk.Snapshot = snapshot;
                disk.Entries.Clear();
            }

            if (write.HardState is { } hardState)
            {
                if (hardState.Term < disk.HardState.Term || (hardState.Term == disk.HardState.Term && disk.HardState.Vote != 0 && hardState.Vote != disk.HardState.Vote)
                    || hardState.Commit < disk.HardState.Commit)
                {
                    throw new InvariantViolationException($"group {write.GroupId}: the durable hard state went from {disk.HardState} to {hardState}.");
                }

                disk.HardState = hardState;
            }

            foreach (var entry in write.Entries)
            {
                if (entry.Index <= disk.SnapshotIndex)
                {
                    continue;
                }

                var keep = (int)(entry.Index - disk.SnapshotIndex - 1);
                if (keep > disk.Entries.Count)
                {
                    throw new InvariantViolationException($"group {write.GroupId}: entry {entry.Index} leaves a gap after the durable log's end {disk.LastIndex}.");
                }

                disk.Entries.RemoveRange(keep, disk.Entries.Count - keep);
                disk.Entries.Add(entry);
            }
        }
    }

    /// <summary>Stores a snapshot the node took of its own state and drops the entries it covers.</summary>
    public void Compact(ulong groupId, Snapshot snapshot)
    {
        var disk = Disk(groupId);
        var index = snapshot.Metadata.Index;
        if (index <= disk.SnapshotIndex)
        {
            return;
        }

        disk.Entries.RemoveAll(entry => entry.Index <= index);
        disk.Snapshot = snapshot;
    }

    /// <summary>The term of the durable entry at <paramref name="index"/> of <paramref name="groupId"/>, if it is held outside a snapshot.</summary>
    public ulong? TermAt(ulong groupId, ulong index) =>
        _groups.TryGetValue(groupId, out var disk) && index > disk.SnapshotIndex && index <= disk.LastIndex
            ? disk.Entries[(int)(index - disk.SnapshotIndex - 1)].Term
            : null;

    /// <summary>The last index <paramref name="groupId"/>'s durable snapshot covers (0 without one).</summary>
    public ulong SnapshotIndex(ulong groupId) => _groups.TryGetValue(groupId, out var disk) ? disk.SnapshotIndex : 0;

    /// <summary>What a restarting node recovers.</summary>
    public RecoveredLog Recover() => new(
        _groups.ToDictionary(g => g.Key, g => new RecoveredGroup(g.Key, g.Value.HardState, g.Value.Snapshot, [.. g.Value.Entries])),
        0);

    private GroupDisk Disk(ulong groupId)
    {
        if (!_groups.TryGetValue(groupId, out var disk))
        {
            _groups[groupId] = disk = new GroupDisk();
        }

        return disk;
    }

    private sealed class GroupDisk
    {
        public HardState HardState { get; set; }

        public Snapshot? Snapshot { get; set; }

        public List<Entry> Entries { get; } = [];

        public ulong SnapshotIndex => Snapshot?.Metadata.Index ?? 0;

        public ulong LastIndex => Entries.Count > 0 ? Entries[^1].Index : SnapshotIndex;
    }
}
