using NodeNomad.Raft;

namespace NodeNomad.Storage;

/// <summary>What one group asks to make durable in a batch.</summary>
/// <param name="GroupId">The Raft group.</param>
/// <param name="HardState">The group's new hard state, or null when it did not change.</param>
/// <param name="Snapshot">A snapshot received from the leader, installed before <paramref name="Entries"/>; or null.</param>
/// <param name="Entries">Entries to append, in ascending contiguous index order.</param>
public sealed record GroupWrite(ulong GroupId, HardState? HardState, Snapshot? Snapshot, IReadOnlyList<Entry> Entries)
{
    /// <summary>A write of entries and, optionally, a hard state.</summary>
    public static GroupWrite Of(ulong groupId, HardState? hardState, params Entry[] entries) => new(groupId, hardState, null, entries);
}

/// <summary>Everything one turn of the runtime loop persists, across groups, made durable together.</summary>
/// <param name="Groups">One write per group at most, applied after <see cref="Dropped"/>.</param>
public sealed record LogBatch(IReadOnlyList<GroupWrite> Groups)
{
    /// <summary>
    /// Groups the node no longer hosts (a replica moved elsewhere, or a cancelled move's learner), forgotten before
    /// <see cref="Groups"/> are applied: their entries, hard state and snapshot go, recovery no longer returns them,
    /// and the space they took is freed. A group that is dropped and also written in the same batch starts again,
    /// empty: its write continues a log with nothing in it (entries from index 1, or an installed snapshot).
    /// Dropping a group the log does not hold does nothing; a group listed twice is dropped once.
    /// </summary>
    public IReadOnlyList<ulong> Dropped { get; init; } = [];

    /// <summary>Whether the batch drops and writes nothing.</summary>
    public bool IsEmpty => Dropped.Count == 0 && Groups.All(g => g.HardState is null && g.Snapshot is null && g.Entries.Count == 0);
}
