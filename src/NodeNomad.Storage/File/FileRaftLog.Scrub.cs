using System.Buffers;

namespace NodeNomad.Storage;

public sealed partial class FileRaftLog
{
    /// <summary>The suffix of a segment being rewritten; recovery deletes one a crash left behind.</summary>
    internal const string ScrubSuffix = ".scrub";

    /// <summary>
    /// Rewrites every kept segment that still holds bytes of a group <paramref name="record"/> dropped, without
    /// them, so that a dropped replica leaves nothing of its data on disk (a cancelled move, a replica moved away).
    /// </summary>
    /// <remarks>
    /// The tombstones stay: a crash part-way leaves some segments rewritten and some not, and replay must still
    /// void what the others hold, as it does for a segment that was never rewritten. The active segment is only
    /// rewritten once the log has moved on from it: a new segment starts when the one holding
    /// <paramref name="record"/> says anything of a dropped group. What <paramref name="record"/> itself writes of a
    /// group it drops (a group started afresh) is live, and kept. Each rewrite goes to a file of its own, made durable,
    /// then renamed over the segment, so a segment is always either as it was or rewritten whole. A rewrite that
    /// fails (a full disk) leaves the segment as it was: the record is durable, the drop took effect, and the bytes
    /// go with the segment.
    /// </remarks>
    /// <param name="record">The batch just written, whose drops are applied.</param>
    /// <param name="holder">The segment <paramref name="record"/> was appended to.</param>
    private void ScrubDropped(BatchRecord record, WalSegment holder)
    {
        var dropped = record.Dropped.ToHashSet();
        if (ReferenceEquals(holder, ActiveSegment) && dropped.Any(holder.Mentions))
        {
            StartSegment();
            DeleteCoveredSegments();
        }

        foreach (WalSegment segment in _segments.Take(_segments.Count - 1).Where(s => dropped.Any(s.Mentions)).ToList())
        {
            try
            {
                Rewrite(segment, dropped, ReferenceEquals(segment, holder) ? record : null);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                DeleteScratch(segment.Path + ScrubSuffix);
            }
        }
    }

    /// <summary>Rewrites <paramref name="segment"/> without anything it holds of the <paramref name="dropped"/> groups.</summary>
    /// <param name="segment">A segment the log no longer appends to.</param>
    /// <param name="dropped">The groups just dropped.</param>
    /// <param name="dropping">The record that dropped them when it is in this segment: its own writes are kept.</param>
    private void Rewrite(WalSegment segment, HashSet<ulong> dropped, BatchRecord? dropping)
    {
        byte[] data = File.ReadAllBytes(segment.Path);
        var kept = new List<WalRecord>();
        var output = new ArrayBufferWriter<byte>(data.Length);
        bool changed = false;
        int offset = 0;
        while (offset < data.Length)
        {
            if (RecordFrame.FindDefect(data, offset, out long end) is not null)
            {
                // Every record of a segment the log moved on from was written whole; one that is not is for recovery
                // to judge, from the file as it is.
                return;
            }

            ReadOnlySpan<byte> framed = data.AsSpan(offset, (int)(end - offset));
            WalRecord record = WalRecordCodec.Decode(framed[RecordFrame.HeaderSize..]);
            bool isDropping = dropping is not null && end == data.Length;
            WalRecord? without = isDropping ? record : Without(record, dropped);
            if (ReferenceEquals(without, record))
            {
                output.Write(framed);
            }
            else if (without is not null)
            {
                int size = WalRecordCodec.FramedSize(without);
                WalRecordCodec.WriteFramed(without, output.GetSpan(size)[..size]);
                output.Advance(size);
            }

            changed |= !ReferenceEquals(without, record);
            if (without is not null)
            {
                kept.Add(without);
            }

            offset = (int)end;
        }

        if (!changed)
        {
            segment.MentionOnly(kept);
            return;
        }

        if (output.WrittenCount == 0)
        {
            // A segment followed by others is never empty (replay takes an empty one for damage): a checkpoint of no
            // group says nothing.
            var empty = new CheckpointRecord([]);
            int size = WalRecordCodec.FramedSize(empty);
            WalRecordCodec.WriteFramed(empty, output.GetSpan(size)[..size]);
            output.Advance(size);
            kept.Add(empty);
        }

        string scratch = segment.Path + ScrubSuffix;
        using (var file = new FileStream(scratch, FileMode.Create, FileAccess.Write, FileShare.None, bufferSize: 0))
        {
            file.Write(output.WrittenSpan);
            if (_options.SyncEnabled)
            {
                file.Flush(flushToDisk: true);
            }
        }

        File.Move(scratch, segment.Path, overwrite: true);
        SyncDirectory(_walDirectory);
        segment.Length = output.WrittenCount;
        segment.MentionOnly(kept);
    }

    /// <summary>
    /// <paramref name="record"/> without what it says of the <paramref name="dropped"/> groups: the record itself when
    /// it says nothing of them, null when nothing else is left of it. Tombstones stay.
    /// </summary>
    private static WalRecord? Without(WalRecord record, HashSet<ulong> dropped) => record switch
    {
        BatchRecord batch when batch.Groups.Any(g => dropped.Contains(g.GroupId)) =>
            batch.Groups.All(g => dropped.Contains(g.GroupId)) && batch.Dropped.Count == 0
                ? null
                : batch with { Groups = [.. batch.Groups.Where(g => !dropped.Contains(g.GroupId))] },
        CompactionRecord compaction when dropped.Contains(compaction.GroupId) => null,
        CheckpointRecord checkpoint when checkpoint.Groups.Any(g => dropped.Contains(g.GroupId)) =>
            new CheckpointRecord([.. checkpoint.Groups.Where(g => !dropped.Contains(g.GroupId))]),
        _ => record,
    };

    /// <summary>Deletes a rewrite that failed, if it can: recovery deletes one left behind.</summary>
    private static void DeleteScratch(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // Left for recovery.
        }
    }

    /// <summary>Deletes the rewrites of segments a crash interrupted before they were renamed into place.</summary>
    private void DeleteUnfinishedScrubs()
    {
        foreach (string path in Directory.EnumerateFiles(_walDirectory, "*" + ScrubSuffix))
        {
            File.Delete(path);
        }
    }
}
