using NodeNomad.Raft;

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
            _snapshotFiles.Clear();
            throw;
        }
    }

    private RecoveredLog Recover(CancellationToken cancellationToken)
    {
        _ = Directory.CreateDirectory(_walDirectory);
        _ = Directory.CreateDirectory(_snapDirectory);
        SyncDirectory(_directory);
        _lock = LockDataDirectory();

        // Judge everything before changing anything, so that a damaged log is left as it was found.
        SnapshotScan snapshots = ScanSnapshots();
        SegmentScan log = ScanSegments(snapshots.Newest, cancellationToken);
        ReplayOutcome outcome = log.Replay.Finish();

        _segments.AddRange(log.Segments);
        foreach (RecoveredGroup group in outcome.Groups.Values)
        {
            _positions[group.GroupId] = new GroupLogPosition(group.Snapshot?.Metadata.Index ?? 0, group.LastIndex);
            _hardStates[group.GroupId] = group.HardState;
        }

        foreach (StoredSnapshot snapshot in snapshots.Newest.Values)
        {
            _snapshotFiles[snapshot.GroupId] = new SnapshotFileSize(snapshot.Path, snapshot.Bytes);
        }

        OpenActiveSegment();

        // Replay applied these snapshots; recording them keeps the log consistent with snap/ once it grows further.
        foreach (StoredSnapshot snapshot in outcome.UnrecordedSnapshots)
        {
            WalRecord record = snapshot.Origin == SnapshotOrigin.Installed
                ? new BatchRecord([new GroupRecord(snapshot.GroupId, null, snapshot.Point, [])])
                : new CompactionRecord(snapshot.GroupId, snapshot.Point);
            _ = Append(record, WalRecordCodec.FramedSize(record));
        }

        foreach (string path in snapshots.Obsolete)
        {
            File.Delete(path);
        }

        DeleteCoveredSegments();
        return new RecoveredLog(outcome.Groups, log.TornTailBytes);
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

    /// <summary>Finds each group's newest snapshot file and verifies it; older files and interrupted writes are obsolete.</summary>
    private SnapshotScan ScanSnapshots()
    {
        var obsolete = new List<string>();
        var byGroup = new Dictionary<ulong, List<(ulong Index, string Path)>>();
        foreach (string path in Directory.EnumerateFiles(_snapDirectory))
        {
            string name = Path.GetFileName(path);
            if (name.EndsWith(SnapshotFile.TempSuffix, StringComparison.Ordinal))
            {
                obsolete.Add(path);
            }
            else if (SnapshotFile.TryParseName(name, out ulong groupId, out ulong index))
            {
                if (!byGroup.TryGetValue(groupId, out List<(ulong Index, string Path)>? files))
                {
                    byGroup[groupId] = files = [];
                }

                files.Add((index, path));
            }
        }

        var newest = new Dictionary<ulong, StoredSnapshot>();
        foreach ((ulong groupId, List<(ulong Index, string Path)> files) in byGroup)
        {
            files.Sort((a, b) => b.Index.CompareTo(a.Index));
            newest[groupId] = SnapshotFile.Read(files[0].Path, groupId, files[0].Index);
            obsolete.AddRange(files.Skip(1).Select(f => f.Path));
        }

        return new SnapshotScan(newest, obsolete);
    }

    /// <summary>Replays every record of every segment, and finds where a torn tail begins.</summary>
    private SegmentScan ScanSegments(IReadOnlyDictionary<ulong, StoredSnapshot> snapshots, CancellationToken cancellationToken)
    {
        List<long> sequences = [.. Directory.EnumerateFiles(_walDirectory)
            .Select(path => WalSegment.TryParseName(Path.GetFileName(path), out long sequence) ? sequence : 0)
            .Where(sequence => sequence > 0)
            .Order()];
        for (int i = 1; i < sequences.Count; i++)
        {
            if (sequences[i] != sequences[i - 1] + 1)
            {
                throw new LogCorruptedException(
                    $"Log segment '{Path.Combine(_walDirectory, WalSegment.FileName(sequences[i - 1] + 1))}' is missing. The node refuses "
                    + "to start rather than drop entries that may have been acknowledged; restore the data directory or rebuild this replica from its group.");
            }
        }

        var replay = new LogReplay(snapshots);
        var segments = new List<WalSegment>();
        long tornTailBytes = 0;
        for (int i = 0; i < sequences.Count; i++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            bool isLast = i == sequences.Count - 1;
            string path = Path.Combine(_walDirectory, WalSegment.FileName(sequences[i]));
            byte[] data = File.ReadAllBytes(path);
            var segment = new WalSegment(sequences[i], path, data.Length);
            if (data.Length == 0 && !isLast)
            {
                // Every segment is created with a checkpoint, made durable before a later segment is created.
                throw new RecordLocation(path, 0).Corruption("the segment is empty, yet later segments follow it");
            }

            int offset = 0;
            while (offset < data.Length)
            {
                var location = new RecordLocation(path, offset);
                string? defect = RecordFrame.FindDefect(data, offset, out long end);
                WalRecord? record = null;
                if (defect is null)
                {
                    try
                    {
                        record = WalRecordCodec.Decode(data.AsSpan(offset + RecordFrame.HeaderSize, (int)(end - offset - RecordFrame.HeaderSize)));
                    }
                    catch (InvalidDataException e)
                    {
                        defect = $"the payload cannot be read ({e.Message})";
                    }
                }

                if (record is null)
                {
                    // Each record is fsynced before the next is written, so only the last one can be torn. A torn
                    // record runs to the end of the file, or is followed by nothing but zeros: space the file system
                    // allocated that the write never filled.
                    if (isLast && (end >= data.Length || !data.AsSpan(offset).ContainsAnyExcept((byte)0)))
                    {
                        tornTailBytes = data.Length - offset;
                        segment.Length = offset;
                        break;
                    }

                    throw location.Corruption(isLast ? $"{defect}, and more data follows it" : $"{defect}, and later segments follow");
                }

                replay.Apply(record, location);
                if (record is BatchRecord batch)
                {
                    foreach (GroupRecord group in batch.Groups)
                    {
                        foreach (Entry entry in group.Entries)
                        {
                            segment.NoteEntry(group.GroupId, entry.Index);
                        }
                    }
                }

                offset = (int)end;
            }

            segments.Add(segment);
        }

        return new SegmentScan(segments, replay, tornTailBytes);
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

    /// <summary>The newest valid snapshot of each group, and the snapshot files nothing needs any more.</summary>
    private sealed record SnapshotScan(IReadOnlyDictionary<ulong, StoredSnapshot> Newest, IReadOnlyList<string> Obsolete);

    /// <summary>The segments as replayed (the last one's length without its torn tail), and the replay itself.</summary>
    private sealed record SegmentScan(IReadOnlyList<WalSegment> Segments, LogReplay Replay, long TornTailBytes);
}
