using System.Buffers;
using System.Diagnostics;
using NodeNomad.Raft;

namespace NodeNomad.Storage;

/// <summary>
/// The embedded durable log: an append-only write-ahead log split into segment files, and one snapshot file
/// per group. Every <see cref="SaveAsync"/> is one record, written with one write call and made durable with
/// one fsync for all the groups in the batch, so a crash can only tear the last record.
/// </summary>
/// <remarks>
/// Layout of the data directory: <c>wal/0000000000000001.wal</c>, <c>wal/0000000000000002.wal</c>, … (records
/// framed as <c>[u32 length][u32 CRC32C][payload]</c>); <c>snap/g{groupId:D20}-{index:D20}.snap</c>; and a
/// <c>LOCK</c> file held while the log is open, so two processes never write the same log.
/// A batch that drops groups records their tombstones in its own record: replay forgets what earlier records said of
/// them. A dropped group's snapshot file is deleted at once; its entries stop keeping segments, so the older segments
/// only it kept are deleted at once, and the active one once the log has moved on to the next segment.
/// Like every <see cref="IRaftLog"/> it is not thread-safe. Its methods do synchronous file IO and return
/// completed tasks: the runtime loop calls them from its own thread.
/// </remarks>
public sealed partial class FileRaftLog : IRaftLog
{
    private const long MinSegmentBytes = 1024;
    private const long MaxSegmentBytes = 1024 * 1024 * 1024;

    private readonly FileRaftLogOptions _options;
    private readonly string _directory;
    private readonly string _walDirectory;
    private readonly string _snapDirectory;

    // The kept segments in ascending order; the last one is active: records are appended to it.
    private readonly List<WalSegment> _segments = [];

    // Snapshot files written ahead (StageSnapshot, on any thread) and waiting to be put in place by a save or a compaction.
    private readonly System.Collections.Concurrent.ConcurrentDictionary<StagedKey, StagedSnapshot> _staged = new();
    private readonly Dictionary<ulong, GroupLogPosition> _positions = [];
    private readonly Dictionary<ulong, HardState> _hardStates = [];
    private readonly Dictionary<ulong, SnapshotOnDisk> _snapshots = [];

    private FileStream? _lock;
    private FileStream? _active;
    private LogState _state = LogState.New;
    private long _batches;
    private double _lastSyncMilliseconds;

    /// <summary>Creates the log of the data directory <paramref name="directory"/>; nothing is read before <see cref="RecoverAsync"/>.</summary>
    /// <param name="directory">The node's data directory; created when missing.</param>
    /// <param name="options">Segment size and fsync; the defaults when null.</param>
    public FileRaftLog(string directory, FileRaftLogOptions? options = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(directory);
        _options = options ?? new FileRaftLogOptions();
        if (_options.SegmentBytes is < MinSegmentBytes or > MaxSegmentBytes)
        {
            throw new ArgumentOutOfRangeException(nameof(options), _options.SegmentBytes, $"SegmentBytes must be between {MinSegmentBytes} and {MaxSegmentBytes}.");
        }

        _directory = Path.GetFullPath(directory);
        _walDirectory = Path.Combine(_directory, "wal");
        _snapDirectory = Path.Combine(_directory, "snap");
    }

    private enum LogState
    {
        New,
        Open,

        // A write failed part-way: the end of the active segment may hold part of a record, and appending after
        // it would turn a torn tail into corruption. Only recovery knows what is on disk now.
        Failed,
        Disposed,
    }

    /// <inheritdoc />
    public LogStatistics Statistics => new(
        _segments.Sum(s => s.Length) + _snapshots.Values.Sum(f => f.Bytes),
        _segments.Count,
        _batches,
        _lastSyncMilliseconds);

    private WalSegment ActiveSegment => _segments[^1];

    /// <inheritdoc />
    /// <exception cref="ArgumentException">A group appears twice, or a group's write does not continue its log.</exception>
    /// <exception cref="InvalidOperationException">The log was not recovered, or an earlier write failed.</exception>
    public Task SaveAsync(LogBatch batch, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(batch);
        EnsureWritable();
        cancellationToken.ThrowIfCancellationRequested();

        Dictionary<ulong, GroupLogPosition> positions = GroupLogPosition.AfterBatch(batch, _positions);

        // Only a group the log holds gets a tombstone: dropping any other changes nothing.
        List<ulong> dropped = [.. batch.Dropped.Distinct().Where(_positions.ContainsKey)];
        List<GroupWrite> writes = [.. batch.Groups.Where(w => w.HardState is not null || w.Snapshot is not null || w.Entries.Count > 0)];
        if (dropped.Count == 0 && writes.Count == 0)
        {
            return Task.CompletedTask;
        }

        // A group dropped and given a snapshot at the index of the one it drops would have its snapshot file replaced
        // before the record that drops it is durable: torn, that record would leave the old group with the new group's
        // snapshot. Those drops go first, in a record of their own; a crash between the two records leaves them
        // dropped and the rest of the batch undone.
        List<ulong> first = [.. writes
            .Where(w => w.Snapshot is { Metadata.Index: var index } && dropped.Contains(w.GroupId)
                && _snapshots.TryGetValue(w.GroupId, out SnapshotOnDisk old) && old.Point.Index == index)
            .Select(w => w.GroupId)];
        BatchRecord? drops = first.Count > 0 ? new BatchRecord([]) { Dropped = first } : null;
        var record = new BatchRecord([.. writes.Select(w => new GroupRecord(
            w.GroupId, w.HardState, w.Snapshot is { Metadata: var m } ? new SnapshotPoint(m.Index, m.Term) : null, w.Entries))])
        {
            Dropped = [.. dropped.Except(first)],
        };
        int size = WalRecordCodec.FramedSize(record);

        try
        {
            double milliseconds = drops is null ? 0 : Write(drops, WalRecordCodec.FramedSize(drops), [], positions);
            _lastSyncMilliseconds = milliseconds + Write(record, size, writes, positions);
            _batches++;
        }
        catch
        {
            _state = LogState.Failed;
            throw;
        }

        return Task.CompletedTask;
    }

    /// <inheritdoc />
    /// <exception cref="ArgumentException">The snapshot is not newer than the group's, or lies beyond its last index.</exception>
    /// <exception cref="InvalidOperationException">The log was not recovered, or an earlier write failed.</exception>
    public Task CompactAsync(ulong groupId, Snapshot snapshot, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(snapshot);
        EnsureWritable();
        cancellationToken.ThrowIfCancellationRequested();

        GroupLogPosition position = PositionOf(groupId).AfterCompaction(groupId, snapshot.Metadata);
        var record = new CompactionRecord(groupId, new SnapshotPoint(snapshot.Metadata.Index, snapshot.Metadata.Term));

        // The file first: once the record is durable, replay drops the entries the file replaces. A file that cannot
        // be written (a full disk) leaves the segments as they were, so the log stays writable: the host logs the
        // failure and snapshots again later, and the entries are all still here.
        StoredSnapshot file = WriteSnapshot(groupId, snapshot);
        try
        {
            _ = Append(record, WalRecordCodec.FramedSize(record));
        }
        catch
        {
            _state = LogState.Failed;
            throw;
        }

        // The record is durable: the compaction took effect whatever happens to the clean-up, which a later
        // compaction or recovery finishes.
        _positions[groupId] = position;
        ReplaceSnapshotFile(file);
        DeleteCoveredSegments();
        return Task.CompletedTask;
    }

    /// <inheritdoc />
    public bool StagesSnapshots => true;

    /// <inheritdoc />
    public void StageSnapshot(ulong groupId, Snapshot snapshot)
    {
        ArgumentNullException.ThrowIfNull(snapshot);
        var key = new StagedKey(groupId, snapshot.Metadata.Index, snapshot.Metadata.Term);
        if (_staged.ContainsKey(key))
        {
            return;
        }

        var staged = SnapshotFile.Stage(_snapDirectory, groupId, snapshot, _options.SyncEnabled);
        if (!_staged.TryAdd(key, new StagedSnapshot(staged, snapshot.Metadata, Environment.TickCount64)))
        {
            File.Delete(staged.Path);
        }
    }

    /// <summary>
    /// The snapshot's file in place: renamed from one staged ahead for the same group, index, term, members and
    /// length, or else written now. Staged files left unused for a while go.
    /// </summary>
    private StoredSnapshot WriteSnapshot(ulong groupId, Snapshot snapshot)
    {
        foreach (var (stale, _) in _staged.Where(s => Environment.TickCount64 - s.Value.At > StagedLifetimeMs).ToList())
        {
            if (_staged.TryRemove(stale, out var unused))
            {
                TryDelete(unused.File.Path);
            }
        }

        var metadata = snapshot.Metadata;
        if (_staged.TryRemove(new StagedKey(groupId, metadata.Index, metadata.Term), out var staged))
        {
            if (staged.File.Snapshot.Data.Length == snapshot.Data.Length && SameMembers(staged.Metadata.ConfState, metadata.ConfState))
            {
                return SnapshotFile.Install(_snapDirectory, groupId, staged.File, _options.SyncEnabled);
            }

            TryDelete(staged.File.Path);
        }

        return SnapshotFile.Write(_snapDirectory, groupId, snapshot, _options.SyncEnabled);
    }

    private static bool SameMembers(ConfState a, ConfState b) =>
        a.Voters.SequenceEqual(b.Voters) && a.Learners.SequenceEqual(b.Learners) && a.VotersOutgoing.SequenceEqual(b.VotersOutgoing);

    private static void TryDelete(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (IOException)
        {
            // Recovery deletes it: its name ends in the temporary suffix.
        }
    }

    /// <inheritdoc />
    public ValueTask DisposeAsync()
    {
        CloseFiles();
        _state = LogState.Disposed;
        return ValueTask.CompletedTask;
    }

    private void EnsureWritable()
    {
        ObjectDisposedException.ThrowIf(_state == LogState.Disposed, this);
        switch (_state)
        {
            case LogState.New:
                throw new InvalidOperationException("The log must be recovered (RecoverAsync) before it is written.");
            case LogState.Failed:
                throw new InvalidOperationException("An earlier write to the log failed, so what is on disk is unknown; dispose the log and recover it again.");
        }
    }

    private GroupLogPosition PositionOf(ulong groupId) => _positions.GetValueOrDefault(groupId);

    private ulong SnapshotIndexOf(ulong groupId) => PositionOf(groupId).SnapshotIndex;

    /// <summary>
    /// Appends <paramref name="record"/>, the drops and the <paramref name="writes"/> of a batch, and applies it: the
    /// dropped groups are forgotten and their snapshot files deleted, the written ones move to their
    /// <paramref name="positions"/>, and the segments no longer needed go.
    /// </summary>
    /// <returns>How long the write and fsync took, in milliseconds.</returns>
    private double Write(BatchRecord record, int size, IReadOnlyList<GroupWrite> writes, Dictionary<ulong, GroupLogPosition> positions)
    {
        // Snapshot files first: once the record that installs them is durable, replay relies on them.
        List<StoredSnapshot> installed = [.. writes
            .Where(w => w.Snapshot is not null)
            .Select(w => WriteSnapshot(w.GroupId, w.Snapshot!))];

        int segments = _segments.Count;
        double milliseconds = Append(record, size);
        WalSegment holder = ActiveSegment;
        NoteBatch(_segments, record);

        // Forgotten before their files go: should deleting one fail, the checkpoints of later segments must not name
        // it. Recovery deletes a file left behind, as one the log does not record.
        List<string> droppedSnapshots = [];
        foreach (ulong groupId in record.Dropped)
        {
            _ = _positions.Remove(groupId);
            _ = _hardStates.Remove(groupId);
            if (_snapshots.Remove(groupId, out SnapshotOnDisk snapshot))
            {
                droppedSnapshots.Add(snapshot.Path);
            }
        }

        foreach (GroupWrite write in writes)
        {
            _positions[write.GroupId] = positions[write.GroupId];
            if (write.HardState is { } hardState)
            {
                _hardStates[write.GroupId] = hardState;
            }
        }

        foreach (StoredSnapshot snapshot in installed)
        {
            ReplaceSnapshotFile(snapshot);
        }

        foreach (string path in droppedSnapshots)
        {
            File.Delete(path);
        }

        // A new segment frees the last one of entries of groups dropped since it was started.
        if (installed.Count > 0 || record.Dropped.Count > 0 || _segments.Count > segments)
        {
            DeleteCoveredSegments();
        }

        if (record.Dropped.Count > 0)
        {
            ScrubDropped(record, holder);
        }

        return milliseconds;
    }

    /// <summary>Appends a record to the log, starting a new segment first when the active one is full.</summary>
    /// <returns>How long the write and fsync took, in milliseconds.</returns>
    private double Append(WalRecord record, int size)
    {
        if (ActiveSegment.Length >= _options.SegmentBytes)
        {
            StartSegment();
        }

        return WriteToActiveSegment(record, size);
    }

    private double WriteToActiveSegment(WalRecord record, int size)
    {
        byte[] buffer = ArrayPool<byte>.Shared.Rent(size);
        try
        {
            Span<byte> framed = buffer.AsSpan(0, size);
            WalRecordCodec.WriteFramed(record, framed);

            long started = Stopwatch.GetTimestamp();
            _active!.Write(framed);
            if (_options.SyncEnabled)
            {
                _active.Flush(flushToDisk: true);
            }

            double milliseconds = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
            ActiveSegment.Length += size;
            ActiveSegment.Mention(record);
            return milliseconds;
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    /// <summary>
    /// Creates the next segment and makes it active. Its first record is a checkpoint of every group's hard state
    /// and snapshot, so that once the older segments are deleted replay still finds them.
    /// </summary>
    private void StartSegment()
    {
        long sequence = ActiveSegment.Sequence + 1;
        var segment = new WalSegment(sequence, Path.Combine(_walDirectory, WalSegment.FileName(sequence)), 0);
        var stream = new FileStream(segment.Path, FileMode.CreateNew, FileAccess.Write, FileShare.Read, bufferSize: 0);
        _active!.Dispose();
        _active = stream;
        _segments.Add(segment);
        WriteCheckpoint();
        SyncDirectory(_walDirectory);
    }

    private void WriteCheckpoint()
    {
        var checkpoint = new CheckpointRecord([.. _hardStates.Where(h => !h.Value.IsEmpty).Select(h => h.Key)
            .Union(_snapshots.Keys)
            .Order()
            .Select(groupId => new GroupCheckpoint(
                groupId,
                _hardStates.TryGetValue(groupId, out HardState hardState) && !hardState.IsEmpty ? hardState : null,
                _snapshots.TryGetValue(groupId, out SnapshotOnDisk snapshot) ? snapshot.Point : null))]);
        _ = WriteToActiveSegment(checkpoint, WalRecordCodec.FramedSize(checkpoint));
    }

    /// <summary>Makes <paramref name="snapshot"/>, now recorded in the log, the group's snapshot file, and deletes the older one.</summary>
    private void ReplaceSnapshotFile(StoredSnapshot snapshot)
    {
        // Recorded before the older file goes: should deleting it fail, the checkpoints of later segments must still
        // name the snapshot the log records, not the one it replaced. Recovery deletes an older file left behind.
        bool replaces = _snapshots.TryGetValue(snapshot.GroupId, out SnapshotOnDisk older) && older.Path != snapshot.Path;
        _snapshots[snapshot.GroupId] = new SnapshotOnDisk(snapshot.Point, snapshot.Path, snapshot.Bytes);
        if (replaces)
        {
            File.Delete(older.Path);
        }
    }

    /// <summary>
    /// Notes what <paramref name="batch"/>, just appended to the last of <paramref name="segments"/>, holds: its drops
    /// release the segments from the entries of the dropped groups, then its entries keep the last segment.
    /// </summary>
    private static void NoteBatch(List<WalSegment> segments, BatchRecord batch)
    {
        foreach (ulong groupId in batch.Dropped)
        {
            foreach (WalSegment segment in segments)
            {
                segment.ForgetGroup(groupId);
            }
        }

        segments[^1].NoteEntries(batch);
    }

    /// <summary>
    /// Deletes the oldest segments for as long as every entry they hold is covered by its group's snapshot, or
    /// belongs to a group dropped since.
    /// </summary>
    private void DeleteCoveredSegments()
    {
        // Only the oldest segments may go. Once every entry of a segment is covered by a snapshot, replay can start
        // after it. A later segment, though, may have truncated the entries of an older one that is kept; deleting
        // it would bring them back. Each deletion is durable before the next, so a crash never leaves a hole.
        while (_segments.Count > 1 && _segments[0].IsCoveredBySnapshots(SnapshotIndexOf))
        {
            File.Delete(_segments[0].Path);
            SyncDirectory(_walDirectory);
            _segments.RemoveAt(0);
        }
    }

    private void SyncDirectory(string path)
    {
        if (_options.SyncEnabled)
        {
            DirectorySync.Flush(path);
        }
    }

    private void CloseFiles()
    {
        _active?.Dispose();
        _active = null;
        _lock?.Dispose();
        _lock = null;
    }

    /// <summary>A group's snapshot as the log records it, and its file: for checkpoints, statistics, and deleting it once replaced.</summary>
    private readonly record struct SnapshotOnDisk(SnapshotPoint Point, string Path, long Bytes);

    /// <summary>How long a staged snapshot file waits to be stored before it counts as unused.</summary>
    private const long StagedLifetimeMs = 5 * 60 * 1000;

    private readonly record struct StagedKey(ulong GroupId, ulong Index, ulong Term);

    private sealed record StagedSnapshot(StoredSnapshot File, SnapshotMetadata Metadata, long At);
}
