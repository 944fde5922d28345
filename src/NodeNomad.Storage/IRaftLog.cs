using NodeNomad.Raft;

namespace NodeNomad.Storage;

/// <summary>
/// The durable log behind every Raft group a node replicates: entries, hard state and snapshots per group.
/// One instance serves all groups of a node so that a batch touching many groups is made durable at once
/// (one fsync, or one database commit). Not thread-safe: the node's runtime loop is its only caller.
/// </summary>
public interface IRaftLog : IAsyncDisposable
{
    /// <summary>
    /// Reads everything that was durable when the node stopped. Must be called once, before any write.
    /// A torn tail (the last, unacknowledged batch cut short by a crash) is removed; corruption anywhere
    /// else throws <see cref="LogCorruptedException"/> rather than dropping entries that were acknowledged.
    /// Called a second time after it succeeded, it throws <see cref="InvalidOperationException"/>.
    /// </summary>
    Task<RecoveredLog> RecoverAsync(CancellationToken cancellationToken = default);

    /// <summary>
    /// Makes the whole batch durable before the returned task completes. The groups in
    /// <see cref="LogBatch.Dropped"/> are forgotten first: once the task completes, recovery no longer returns
    /// them, their snapshots are deleted, and the space of their entries is freed (at once where the backend can,
    /// otherwise once nothing else keeps it, see the backend). Then the group writes: within a group, entries are
    /// appended in order; an entry whose index is at or below the group's last index replaces that entry
    /// and everything after it (a follower's log being overwritten by its leader). A group write that
    /// carries a snapshot installs it first: the group's log is emptied and continues after the snapshot.
    /// A write to a group dropped in this batch or an earlier one starts a new group, as if the id were new.
    /// Rejected with <see cref="ArgumentException"/>, before anything is written: entries that are not
    /// contiguous, that leave a gap after the group's last index, or that sit at or below its snapshot index;
    /// a snapshot not newer than the group's current one; the same group twice in one batch's writes.
    /// After a failed save the instance refuses further writes until the log is opened and recovered again:
    /// whether the failed batch reached the disk is unknown until then.
    /// </summary>
    Task SaveAsync(LogBatch batch, CancellationToken cancellationToken = default);

    /// <summary>
    /// Stores a snapshot the node took of its own state machine and drops the group's entries up to the
    /// snapshot's index; entries after it are kept. A snapshot beyond the group's last index, or not newer
    /// than its current snapshot, is rejected with <see cref="ArgumentException"/>.
    /// A compaction that fails otherwise (the snapshot cannot be stored) loses nothing: the log still holds every
    /// entry and stays writable, so the node can log the failure, go on, and snapshot again later. Only when the log
    /// cannot tell whether the compaction reached it does it refuse further writes until it is recovered again.
    /// </summary>
    Task CompactAsync(ulong groupId, Snapshot snapshot, CancellationToken cancellationToken = default);

    /// <summary>Sizes and timings for health and metrics.</summary>
    LogStatistics Statistics { get; }

    /// <summary>Whether <see cref="StageSnapshot"/> does anything: false unless the log says so.</summary>
    bool StagesSnapshots => false;

    /// <summary>
    /// Does ahead, on the calling thread (any thread, while the log's other calls go on), the slow part of storing
    /// <paramref name="snapshot"/> for group <paramref name="groupId"/> — writing a large snapshot's file — so that a
    /// later <see cref="SaveAsync"/> or <see cref="CompactAsync"/> of the same snapshot only puts it in place. Staging a
    /// snapshot that is then never stored costs disk until the log sweeps it (or recovers). Does nothing by default.
    /// </summary>
    void StageSnapshot(ulong groupId, Snapshot snapshot)
    {
    }
}
