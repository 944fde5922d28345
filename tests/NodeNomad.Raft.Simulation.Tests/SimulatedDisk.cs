namespace NodeNomad.Raft.Simulation.Tests;

/// <summary>
/// What one replica has made durable: its hard state, its snapshot, and the log entries after the snapshot.
/// Only what the host wrote here survives a crash. Writes follow etcd's MemoryStorage: appended entries
/// replace any conflicting suffix, a received snapshot replaces the whole log, and the host's own compaction
/// drops only the entries the snapshot covers.
/// </summary>
internal sealed class SimulatedDisk
{
    private readonly List<Entry> _entries = [];

    public HardState HardState { get; private set; }

    public Snapshot? Snapshot { get; private set; }

    public IReadOnlyList<Entry> Entries => _entries;

    public ulong SnapshotIndex => Snapshot?.Metadata.Index ?? 0;

    public ulong LastIndex => _entries.Count > 0 ? _entries[^1].Index : SnapshotIndex;

    /// <summary>The term of the entry at <paramref name="index"/>, or null when the disk does not hold it.</summary>
    public ulong? TermAt(ulong index)
    {
        if (index == SnapshotIndex)
        {
            return Snapshot?.Metadata.Term ?? 0;
        }

        return index > SnapshotIndex && index <= LastIndex ? _entries[(int)(index - SnapshotIndex - 1)].Term : null;
    }

    /// <summary>The entry at <paramref name="index"/>, when the disk holds it outside the snapshot.</summary>
    public Entry? EntryAt(ulong index) =>
        index > SnapshotIndex && index <= LastIndex ? _entries[(int)(index - SnapshotIndex - 1)] : null;

    public void SaveHardState(HardState hardState) => HardState = hardState;

    /// <summary>Appends <paramref name="entries"/>, first dropping every entry from the first one's index on.</summary>
    /// <exception cref="InvariantViolationException">The entries are not consecutive, or leave a gap after the log.</exception>
    public void Append(IReadOnlyList<Entry> entries)
    {
        ArgumentNullException.ThrowIfNull(entries);
        for (var i = 1; i < entries.Count; i++)
        {
            if (entries[i].Index != entries[i - 1].Index + 1)
            {
                throw new InvariantViolationException($"Ready.Entries are not consecutive: {entries[i - 1].Index} is followed by {entries[i].Index}.");
            }
        }

        // Entries the snapshot already covers are skipped, as etcd's MemoryStorage does.
        var fresh = entries.SkipWhile(entry => entry.Index <= SnapshotIndex).ToList();
        if (fresh.Count == 0)
        {
            return;
        }

        var first = fresh[0].Index;
        if (first > LastIndex + 1)
        {
            throw new InvariantViolationException($"Ready.Entries start at {first} but the persisted log ends at {LastIndex}: they would leave a gap.");
        }

        _entries.RemoveRange((int)(first - SnapshotIndex - 1), (int)(LastIndex - first + 1));
        _entries.AddRange(fresh);
    }

    /// <summary>Installs a snapshot received from the leader: it replaces the whole log.</summary>
    /// <exception cref="InvariantViolationException">The snapshot is not newer than the one on disk.</exception>
    public void InstallSnapshot(Snapshot snapshot)
    {
        ArgumentNullException.ThrowIfNull(snapshot);
        if (snapshot.Metadata.Index <= SnapshotIndex)
        {
            throw new InvariantViolationException($"Ready.Snapshot at index {snapshot.Metadata.Index} is not newer than the persisted snapshot at {SnapshotIndex}.");
        }

        Snapshot = snapshot;
        _entries.Clear();
    }

    /// <summary>Keeps the host's own snapshot and drops the entries it covers; later entries stay.</summary>
    public void Compact(Snapshot snapshot)
    {
        ArgumentNullException.ThrowIfNull(snapshot);
        var index = snapshot.Metadata.Index;
        if (index <= SnapshotIndex || index > LastIndex)
        {
            throw new InvalidOperationException($"Cannot compact at {index}: the disk holds ({SnapshotIndex}, {LastIndex}].");
        }

        if (TermAt(index) != snapshot.Metadata.Term)
        {
            throw new InvariantViolationException($"The host's snapshot at {index} says term {snapshot.Metadata.Term}, but the persisted log holds term {TermAt(index)} there: it applied an entry it never persisted.");
        }

        _entries.RemoveRange(0, (int)(index - SnapshotIndex));
        Snapshot = snapshot;
    }

    /// <summary>What the replica restarts from.</summary>
    public RaftBootstrap Bootstrap(ConfState? initialMembers) => new(HardState, Snapshot, _entries.ToArray(), initialMembers);
}
