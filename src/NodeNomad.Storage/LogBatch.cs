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
/// <param name="Groups">One write per group at most.</param>
public sealed record LogBatch(IReadOnlyList<GroupWrite> Groups)
{
    /// <summary>Groups to forget, before the batch's writes are applied (so a group dropped and created again in one batch starts empty).</summary>
    public IReadOnlyList<ulong> Dropped { get; init; } = [];

    /// <summary>Whether the batch writes nothing.</summary>
    public bool IsEmpty => Dropped.Count == 0 && Groups.All(g => g.HardState is null && g.Snapshot is null && g.Entries.Count == 0);
}
