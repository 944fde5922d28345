namespace NodeNomad.Raft;

/// <summary>
/// A replica's log as held in memory: the latest snapshot, then every entry after it. The entries are
/// split by <see cref="Stabled"/> into a stable prefix (durable on the host) and an unstable suffix
/// (handed to the host in <see cref="Ready.Entries"/>, durable once it calls <see cref="RaftNode.Advance"/>).
/// </summary>
/// <remarks>
/// Invariants: SnapshotIndex &lt;= Applied &lt;= Applying &lt;= Committed &lt;= LastIndex, Stabled &lt;= LastIndex,
/// and entries are contiguous from <see cref="FirstIndex"/>. Committed entries are never removed or replaced:
/// they are on a quorum, and every future leader holds them (leader completeness).
/// </remarks>
internal sealed class RaftLog
{
    private readonly List<Entry> _entries;

    private RaftLog(Snapshot? snapshot, List<Entry> entries)
    {
        Snapshot = snapshot;
        SnapshotIndex = snapshot?.Metadata.Index ?? 0;
        SnapshotTerm = snapshot?.Metadata.Term ?? 0;
        _entries = entries;
        Stabled = LastIndex;
    }

    /// <summary>The latest snapshot (taken locally or received), sent to followers that lag behind it.</summary>
    public Snapshot? Snapshot { get; private set; }

    /// <summary>The index the snapshot covers; entries up to it are gone from memory.</summary>
    public ulong SnapshotIndex { get; private set; }

    /// <summary>The term of the entry at <see cref="SnapshotIndex"/>.</summary>
    public ulong SnapshotTerm { get; private set; }

    /// <summary>A snapshot received from the leader that the host has not yet persisted and applied.</summary>
    public Snapshot? PendingSnapshot { get; private set; }

    /// <summary>The highest index known to be committed.</summary>
    public ulong Committed { get; private set; }

    /// <summary>The highest index the host has applied (reported by <see cref="RaftNode.Advance"/>).</summary>
    public ulong Applied { get; private set; }

    /// <summary>The highest index handed to the host to apply (at least <see cref="Applied"/>).</summary>
    public ulong Applying { get; private set; }

    /// <summary>The highest index the host has made durable.</summary>
    public ulong Stabled { get; private set; }

    public ulong FirstIndex => SnapshotIndex + 1;

    public ulong LastIndex => SnapshotIndex + (ulong)_entries.Count;

    public ulong LastTerm => _entries.Count == 0 ? SnapshotTerm : _entries[^1].Term;

    /// <summary>Builds the log from what the host's storage recovered; everything recovered is stable.</summary>
    public static RaftLog Recover(Snapshot? snapshot, IReadOnlyList<Entry> entries, ulong commit, ulong applied)
    {
        var first = (snapshot?.Metadata.Index ?? 0) + 1;
        var list = new List<Entry>(entries.Count);
        foreach (var entry in entries)
        {
            // Storage may hand back entries the snapshot already covers; they are dropped.
            if (entry.Index < first)
            {
                continue;
            }

            var expected = first + (ulong)list.Count;
            if (entry.Index != expected)
            {
                throw new ArgumentException($"Recovered entries are not contiguous: expected index {expected}, found {entry.Index}.", nameof(entries));
            }

            list.Add(entry);
        }

        var log = new RaftLog(snapshot, list);
        var committed = Math.Max(commit, log.SnapshotIndex);
        if (committed > log.LastIndex)
        {
            throw new ArgumentException($"The recovered commit index {commit} is beyond the last recovered entry {log.LastIndex}.", nameof(commit));
        }

        var appliedFrom = Math.Max(applied, log.SnapshotIndex);
        if (appliedFrom > committed)
        {
            throw new ArgumentException($"The applied index {applied} is beyond the recovered commit index {committed}.", nameof(applied));
        }

        log.Committed = committed;
        log.Applied = appliedFrom;
        log.Applying = appliedFrom;
        return log;
    }

    /// <summary>The term of the entry at <paramref name="index"/>, when the log still knows it.</summary>
    public bool TryTerm(ulong index, out ulong term)
    {
        if (index == SnapshotIndex)
        {
            term = SnapshotTerm;
            return true;
        }

        if (index < SnapshotIndex || index > LastIndex)
        {
            term = 0;
            return false;
        }

        term = _entries[Offset(index)].Term;
        return true;
    }

    public ulong TermOrZero(ulong index) => TryTerm(index, out var term) ? term : 0;

    public bool MatchTerm(ulong index, ulong term) => TryTerm(index, out var actual) && actual == term;

    public Entry EntryAt(ulong index) => _entries[Offset(index)];

    /// <summary>§5.4.1: a candidate's log is at least as up to date as ours if its last term is higher, or equal with an index at least ours.</summary>
    public bool IsUpToDate(ulong lastIndex, ulong lastTerm) =>
        lastTerm > LastTerm || (lastTerm == LastTerm && lastIndex >= LastIndex);

    /// <summary>
    /// The Append consistency check and, when it passes, the append: entries that conflict with ours (same index,
    /// other term) replace our suffix from the first conflict on; entries we already hold are left alone, so a
    /// delayed Append never truncates entries a later one added.
    /// </summary>
    public bool TryAppend(ulong prevIndex, ulong prevTerm, ulong leaderCommit, IReadOnlyList<Entry> entries, out ulong lastNewIndex)
    {
        lastNewIndex = 0;
        if (!MatchTerm(prevIndex, prevTerm))
        {
            return false;
        }

        lastNewIndex = prevIndex + (ulong)entries.Count;
        var conflict = FindConflict(entries);
        if (conflict != 0)
        {
            if (conflict <= Committed)
            {
                throw new InvalidOperationException($"Entry {conflict} conflicts with a committed entry (committed {Committed}); the logs diverged below the commit index.");
            }

            var skip = (int)(conflict - (prevIndex + 1));
            Append(entries.Skip(skip).ToList());
        }

        // The leader's commit only speaks for entries this Append proved to match (up to lastNewIndex).
        CommitTo(Math.Min(leaderCommit, lastNewIndex));
        return true;
    }

    /// <summary>The first index among <paramref name="entries"/> whose term differs from ours or that we lack; 0 if we hold them all.</summary>
    private ulong FindConflict(IReadOnlyList<Entry> entries)
    {
        foreach (var entry in entries)
        {
            if (!MatchTerm(entry.Index, entry.Term))
            {
                return entry.Index;
            }
        }

        return 0;
    }

    /// <summary>
    /// The largest index at or below <paramref name="index"/> whose term is at most <paramref name="term"/>, with its
    /// term. Any log that holds an entry of <paramref name="term"/> at <paramref name="index"/> has only terms at most
    /// that below it, so indexes between the answer and <paramref name="index"/> cannot match it: a rejecting side
    /// skips them in one round trip instead of one per entry.
    /// </summary>
    public (ulong Index, ulong Term) FindConflictByTerm(ulong index, ulong term)
    {
        for (; index > 0; index--)
        {
            if (!TryTerm(index, out var ourTerm))
            {
                // Compacted (or past our end): nothing better to say than this index.
                return (index, 0);
            }

            if (ourTerm <= term)
            {
                return (index, ourTerm);
            }
        }

        return (0, 0);
    }

    /// <summary>Appends entries, replacing any suffix from the first new index on. Never touches committed entries.</summary>
    public ulong Append(IReadOnlyList<Entry> entries)
    {
        if (entries.Count == 0)
        {
            return LastIndex;
        }

        var first = entries[0].Index;
        if (first <= Committed)
        {
            throw new InvalidOperationException($"Appending at {first} would overwrite committed entries (committed {Committed}).");
        }

        if (first > LastIndex + 1)
        {
            throw new InvalidOperationException($"Appending at {first} would leave a gap after {LastIndex}.");
        }

        if (first <= LastIndex)
        {
            _entries.RemoveRange(Offset(first), _entries.Count - Offset(first));
            // What replaced the durable suffix must be written again.
            Stabled = Math.Min(Stabled, first - 1);
        }

        _entries.AddRange(entries);
        return LastIndex;
    }

    /// <summary>Entries [lo, hi] limited to <paramref name="maxBytes"/> of payload, but at least one entry.</summary>
    public List<Entry> Slice(ulong lo, ulong hi, long maxBytes)
    {
        var result = new List<Entry>();
        if (lo > hi)
        {
            return result;
        }

        if (lo < FirstIndex || hi > LastIndex)
        {
            throw new InvalidOperationException($"Slice [{lo}, {hi}] is outside the log [{FirstIndex}, {LastIndex}].");
        }

        long bytes = 0;
        for (var index = lo; index <= hi; index++)
        {
            var entry = _entries[Offset(index)];
            bytes += entry.Data.Length;
            if (result.Count > 0 && bytes > maxBytes)
            {
                break;
            }

            result.Add(entry);
        }

        return result;
    }

    public void CommitTo(ulong index)
    {
        if (index <= Committed)
        {
            return;
        }

        if (index > LastIndex)
        {
            throw new InvalidOperationException($"Commit index {index} is beyond the last index {LastIndex}; the log was lost or corrupted.");
        }

        Committed = index;
    }

    /// <summary>The leader's rule (§5.4.2, Figure 8): only an entry of its own term is committed by counting replicas.</summary>
    public bool MaybeCommit(ulong index, ulong term)
    {
        if (index > Committed && TermOrZero(index) == term)
        {
            CommitTo(index);
            return true;
        }

        return false;
    }

    public IReadOnlyList<Entry> UnstableEntries =>
        Stabled >= LastIndex ? [] : _entries.GetRange(Offset(Stabled + 1), (int)(LastIndex - Stabled));

    public bool HasUnstableEntries => Stabled < LastIndex;

    /// <summary>
    /// The entries the host may apply next: committed, durable here (so applying never runs ahead of what a
    /// restart recovers), and not yet handed out. None while a received snapshot waits to be applied.
    /// </summary>
    public List<Entry> NextCommittedEntries(long maxBytes)
    {
        if (PendingSnapshot is not null)
        {
            return [];
        }

        var lo = Math.Max(Applying + 1, FirstIndex);
        var hi = Math.Min(Committed, Stabled);
        return lo > hi ? [] : Slice(lo, hi, maxBytes);
    }

    public bool HasNextCommittedEntries =>
        PendingSnapshot is null && Math.Max(Applying + 1, FirstIndex) <= Math.Min(Committed, Stabled);

    public void MarkApplying(ulong index) => Applying = Math.Max(Applying, index);

    public void AppliedTo(ulong index)
    {
        Applied = Math.Max(Applied, index);
        Applying = Math.Max(Applying, Applied);
    }

    /// <summary>The host persisted entries up to (index, term); ignored if that entry was replaced in the meantime.</summary>
    public void StableTo(ulong index, ulong term)
    {
        if (index > Stabled && MatchTerm(index, term))
        {
            Stabled = index;
        }
    }

    /// <summary>The host persisted and applied the received snapshot at <paramref name="index"/>.</summary>
    public void SnapshotApplied(ulong index)
    {
        if (PendingSnapshot is not null && PendingSnapshot.Metadata.Index == index)
        {
            PendingSnapshot = null;
        }

        AppliedTo(index);
    }

    /// <summary>A follower replaces its whole log with the leader's snapshot; the host persists and applies it from Ready.</summary>
    public void Restore(Snapshot snapshot)
    {
        Snapshot = snapshot;
        PendingSnapshot = snapshot;
        SnapshotIndex = snapshot.Metadata.Index;
        SnapshotTerm = snapshot.Metadata.Term;
        _entries.Clear();
        Committed = SnapshotIndex;
        Stabled = SnapshotIndex;
    }

    /// <summary>The host snapshotted its state machine at an applied index: entries up to it leave memory.</summary>
    public void Compact(Snapshot snapshot)
    {
        var index = snapshot.Metadata.Index;
        var drop = Offset(index) + 1;
        _entries.RemoveRange(0, drop);
        Snapshot = snapshot;
        SnapshotIndex = index;
        SnapshotTerm = snapshot.Metadata.Term;
    }

    /// <summary>The committed entries not yet applied, (Applied, Committed].</summary>
    public IEnumerable<Entry> UnappliedCommittedEntries()
    {
        for (var index = Math.Max(Applied + 1, FirstIndex); index <= Committed; index++)
        {
            yield return _entries[Offset(index)];
        }
    }

    private int Offset(ulong index) => checked((int)(index - FirstIndex));
}
