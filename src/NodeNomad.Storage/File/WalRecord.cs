using NodeNomad.Raft;

namespace NodeNomad.Storage;

/// <summary>Where a snapshot stands in a group's log; what the log records of a snapshot, whose data lives in snap/.</summary>
internal readonly record struct SnapshotPoint(ulong Index, ulong Term);

/// <summary>One record of the write-ahead log, as framed by <see cref="RecordFrame"/>.</summary>
internal abstract record WalRecord;

/// <summary>
/// Everything one <see cref="IRaftLog.SaveAsync"/> made durable: first the groups it dropped, then its group writes,
/// replayed group by group, in order.
/// </summary>
internal sealed record BatchRecord(IReadOnlyList<GroupRecord> Groups) : WalRecord
{
    /// <summary>
    /// Groups the batch dropped, in no order: the tombstones of their logs. Replay forgets everything an earlier record
    /// said of them, and a later record (the group writes of this one among them) starts each of them afresh.
    /// </summary>
    public IReadOnlyList<ulong> Dropped { get; init; } = [];
}

/// <summary>
/// One group's part of a batch. Replayed in this order: the hard state replaces the group's; the installed
/// snapshot marker empties the group's log up to and including its index; the entries are appended.
/// </summary>
internal sealed record GroupRecord(ulong GroupId, HardState? HardState, SnapshotPoint? InstalledSnapshot, IReadOnlyList<Entry> Entries);

/// <summary>The group's own snapshot at <see cref="Snapshot"/> is durable in snap/; its entries up to that index are dropped.</summary>
internal sealed record CompactionRecord(ulong GroupId, SnapshotPoint Snapshot) : WalRecord;

/// <summary>
/// The first record of every segment but the first: each group's hard state and recorded snapshot when the
/// segment was started. Once the older segments are deleted, replay still finds both here.
/// </summary>
internal sealed record CheckpointRecord(IReadOnlyList<GroupCheckpoint> Groups) : WalRecord;

/// <summary>
/// One group in a checkpoint. Its snapshot is replayed like a compaction: at this point of the log the group's
/// entries up to the snapshot are gone, and the snapshot file is in effect.
/// </summary>
internal sealed record GroupCheckpoint(ulong GroupId, HardState? HardState, SnapshotPoint? Snapshot);
