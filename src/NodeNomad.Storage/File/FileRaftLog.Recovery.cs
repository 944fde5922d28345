namespace NodeNomad.Storage;

public sealed partial class FileRaftLog
{
    /// <inheritdoc />
    /// <exception cref="LogCorruptedException">A segment or snapshot file is damaged other than at the torn tail.</exception>
    /// <exception cref="IOException">The data directory cannot be read, or another log holds it.</exception>
    public Task<RecoveredLog> RecoverAsync(CancellationToken cancellationToken = default)
    {
        ObjectDisposedException.ThrowIf(_state == LogState.Disposed, this);
        if (_state != LogState.New)
        {
            throw new InvalidOperationException("The log is recovered once, before any write.");
        }

        try
        {
            RecoveredLog recovered = Recover(cancellationToken);
            _state = LogState.Open;
            return Task.FromResult(recovered);
        }
        catch
        {
            // Every repair recovery made is durable, so a later attempt starts over from the files alone.
            CloseFiles();
            _segments.Clear();
            _positions.Clear();
            _hardStates.Clear();
            _snapshots.Clear();
            throw;
        }
    }

    private RecoveredLog Recover(CancellationToken cancellationToken)
    {
        _ = Directory.CreateDirectory(_walDirectory);
        _ = Directory.CreateDirectory(_snapDirectory);
        SyncDirectory(_directory);
        _lock = LockDataDirectory();
        DeleteUnfinishedScrubs();

        // Judge everything before changing anything, so that a damaged log is left as it was found.
        SnapshotListing listing = ListSnapshotFiles();
        SegmentScan log = ScanSegments(listing.NewestIndexes, cancellationToken);
        Dictionary<ulong, StoredSnapshot> snapshots = ReadRecordedSnapshots(log.Replay.RecordedSnapshots);
        IReadOnlyDictionary<ulong, RecoveredGroup> groups = log.Replay.Finish(snapshots.ToDictionary(s => s.Key, s => s.Value.Snapshot));

        _segments.AddRange(log.Segments);
        foreach (RecoveredGroup group in groups.Values)
        {
            _positions[group.GroupId] = new GroupLogPosition(group.Snapshot?.Metadata.Index ?? 0, group.LastIndex);
            _hardStates[group.GroupId] = group.HardState;
        }

        foreach (StoredSnapshot snapshot in snapshots.Values)
        {
            _snapshots[snapshot.GroupId] = new SnapshotOnDisk(snapshot.Point, snapshot.Path, snapshot.Bytes);
        }

        OpenActiveSegment();

        // The snapshot files the log does not record: older ones that newer ones replaced, interrupted writes, and
        // files whose record a crash prevented. Those never took effect: the batch or compaction did not happen.
        foreach (string path in listing.Files.Except(snapshots.Values.Select(s => s.Path)))
        {
            File.Delete(path);
        }

        DeleteCoveredSegments();
        return new RecoveredLog(groups, log.TornTailBytes);
    }

    private FileStream LockDataDirectory()
    {
        string path = Path.Combine(_directory, "LOCK");
        try
        {
            // FileShare.None takes an exclusive lock on the file, which the OS releases if the process dies.
            return new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
        }
        catch (IOException e)
        {
            throw new IOException($"Cannot lock '{path}': another process, or another log in this one, is using the data directory '{_directory}'.", e);
        }
    }

    /// <summary>The snapshot files in snap/, including interrupted writes, and the newest index of each group.</summary>
    private SnapshotListing ListSnapshotFiles()
    {
        var files = new List<string>();
        var newest = new Dictionary<ulong, ulong>();
        foreach (string path in Directory.EnumerateFiles(_snapDirectory))
        {
            string name = Path.GetFileName(path);
            if (name.EndsWith(SnapshotFile.TempSuffix, StringComparison.Ordinal))
            {
                files.Add(path);
            }
            else if (SnapshotFile.TryParseName(name, out ulong groupId, out ulong index))
            {
                files.Add(path);
                newest[groupId] = Math.Max(index, newest.GetValueOrDefault(groupId));
            }
        }

        return new SnapshotListing(newest, files);
    }

    /// <summary>Reads the snapshot the log records for each group; the file must be there, intact.</summary>
    private Dictionary<ulong, StoredSnapshot> ReadRecordedSnapshots(IReadOnlyDictionary<ulong, RecordedSnapshot> recorded)
    {
        var snapshots = new Dictionary<ulong, StoredSnapshot>();
        foreach ((ulong groupId, RecordedSnapshot snapshot) in recorded)
        {
            // A snapshot file is durable before the record that records it, and deleted only once a newer one is recorded.
            string path = Path.Combine(_snapDirectory, SnapshotFile.FileName(groupId, snapshot.Point.Index));
            if (!File.Exists(path))
            {
                throw snapshot.Location.Corruption($"it records a snapshot of group {groupId} at index {snapshot.Point.Index}, but snap/ lacks its file '{Path.GetFileName(path)}'");
            }

            StoredSnapshot stored = SnapshotFile.Read(path, groupId, snapshot.Point.Index);
            if (stored.Point.Term != snapshot.Point.Term)
            {
                throw snapshot.Location.Corruption($"it records the snapshot of group {groupId} at index {snapshot.Point.Index} with term {snapshot.Point.Term}, but '{path}' has term {stored.Point.Term}");
            }

            snapshots.Add(groupId, stored);
        }

        return snapshots;
    }

    /// <summary>Replays every record of every segment, and finds where a torn tail begins.</summary>
    private SegmentScan ScanSegments(IReadOnlyDictionary<ulong, ulong> newestSnapshotFiles, CancellationToken cancellationToken)
    {
        List<long> sequences = [.. Directory.EnumerateFiles(_walDirectory)
            .Select(path => WalSegment.TryParseName(Path.GetFileName(path), out long sequence) ? sequence : 0)
            .Where(sequence => sequence > 0)
            .Order()];
        if (sequences.Count == 0 && newestSnapshotFiles.Count > 0)
        {
            // The first segment is created before any snapshot can be written.
            throw LogDamage.Found($"'{_walDirectory}' holds no log segment, yet '{_snapDirectory}' holds snapshots: the log is missing");
        }

        for (int i = 1; i < sequences.Count; i++)
        {
            if (sequences[i] != sequences[i - 1] + 1)
            {
                throw LogDamage.Found($"Log segment '{Path.Combine(_walDirectory, WalSegment.FileName(sequences[i - 1] + 1))}' is missing");
            }
        }

        var replay = new LogReplay(_walDirectory, newestSnapshotFiles);
        var segments = new List<WalSegment>();
        long tornTailBytes = 0;
        for (int i = 0; i < sequences.Count; i++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var segment = new WalSegment(sequences[i], Path.Combine(_walDirectory, WalSegment.FileName(sequences[i])), 0);
            segments.Add(segment);
            tornTailBytes = ReplaySegment(segments, isLast: i == sequences.Count - 1, replay);
        }

        return new SegmentScan(segments, replay, tornTailBytes);
    }

    /// <summary>Replays the records of the last of <paramref name="segments"/> and sets its length to where its sound records end.</summary>
    /// <param name="segments">The segments replayed so far, and last the one to replay.</param>
    /// <param name="isLast">Whether the segment is the last of the log.</param>
    /// <param name="replay">The replay so far.</param>
    /// <returns>The bytes of the torn tail after them; only the last segment may have one.</returns>
    private static long ReplaySegment(List<WalSegment> segments, bool isLast, LogReplay replay)
    {
        WalSegment segment = segments[^1];
        byte[] data = File.ReadAllBytes(segment.Path);
        if (data.Length == 0 && !isLast)
        {
            // Every segment is created with a checkpoint, made durable before a later segment is created.
            throw new RecordLocation(segment.Path, 0).Corruption("the segment is empty, yet later segments follow it");
        }

        int offset = 0;
        while (offset < data.Length)
        {
            var location = new RecordLocation(segment.Path, offset);
            if (RecordFrame.FindDefect(data, offset, out long end) is { } defect)
            {
                // Each record is fsynced before the next is written, so only the last one can be torn: a damaged
                // record is the torn tail when no sound record follows its end (whatever follows is the unfinished
                // write, or zeros the file system allocated for it); with a sound record after it, it is corruption.
                if (isLast && !RecordFrame.SoundRecordFollows(data, end))
                {
                    segment.Length = offset;
                    return data.Length - offset;
                }

                throw location.Corruption(isLast ? $"{defect}, and more data follows it" : $"{defect}, and later segments follow");
            }

            WalRecord record;
            try
            {
                record = WalRecordCodec.Decode(data.AsSpan(offset + RecordFrame.HeaderSize, (int)(end - offset - RecordFrame.HeaderSize)));
            }
            catch (InvalidDataException e)
            {
                // Its checksums hold, so it was written whole: a crash does not leave such a record, not even at the
                // tail, and it may be an acknowledged batch (of a newer version, say). Cutting it off would lose it.
                throw location.Corruption($"the payload cannot be read ({e.Message})");
            }

            replay.Apply(record, location);
            segment.Mention(record);
            if (record is BatchRecord batch)
            {
                NoteBatch(segments, batch);
            }

            offset = (int)end;
        }

        segment.Length = data.Length;
        return 0;
    }

    /// <summary>
    /// Opens the last segment for appending (creating the first one in a new log), cuts off its torn tail, and
    /// writes its checkpoint when it has none: a torn checkpoint leaves a segment empty.
    /// </summary>
    private void OpenActiveSegment()
    {
        if (_segments.Count == 0)
        {
            _segments.Add(new WalSegment(1, Path.Combine(_walDirectory, WalSegment.FileName(1)), 0));
        }

        _active = new FileStream(ActiveSegment.Path, FileMode.OpenOrCreate, FileAccess.Write, FileShare.Read, bufferSize: 0);
        if (_active.Length != ActiveSegment.Length)
        {
            _active.SetLength(ActiveSegment.Length);
            if (_options.SyncEnabled)
            {
                _active.Flush(flushToDisk: true);
            }
        }

        _active.Position = ActiveSegment.Length;
        if (ActiveSegment.Length == 0)
        {
            WriteCheckpoint();
            SyncDirectory(_walDirectory);
        }
    }

    /// <summary>The files of snap/ (snapshots and interrupted writes), and the index of each group's newest snapshot.</summary>
    private sealed record SnapshotListing(IReadOnlyDictionary<ulong, ulong> NewestIndexes, IReadOnlyList<string> Files);

    /// <summary>The segments as replayed (the last one's length without its torn tail), and the replay itself.</summary>
    private sealed record SegmentScan(IReadOnlyList<WalSegment> Segments, LogReplay Replay, long TornTailBytes);
}
