using NodeNomad.Raft;
using static NodeNomad.Storage.Tests.LogData;

namespace NodeNomad.Storage.Tests;

/// <summary>A crash can tear the last record; recovery cuts it off, keeps everything before it, and the log goes on.</summary>
public sealed class TornTailTests : FileLogTest
{
    public enum TailDamage
    {
        CutInHeader,
        CutInPayload,
        CutAndFollowedByGarbage,
        FlippedByte,
    }

    [Theory]
    [InlineData(TailDamage.CutInHeader)]
    [InlineData(TailDamage.CutInPayload)]
    [InlineData(TailDamage.CutAndFollowedByGarbage)]
    [InlineData(TailDamage.FlippedByte)]
    public async Task a_damaged_last_record_is_cut_off_and_the_log_continues_after_it(TailDamage damage)
    {
        (FileRaftLog log, _) = await StartAsync();
        await log.SaveAsync(Batch(GroupWrite.Of(1, new HardState(1, 1, 0), Es(1, 3, 1)), GroupWrite.Of(2, null, E(1, 1))), Ct);
        long recordStart = LengthOf(LastSegment);
        await log.SaveAsync(Batch(GroupWrite.Of(1, new HardState(2, 1, 3), Es(4, 6, 2)), GroupWrite.Of(2, null, E(2, 1))), Ct);
        long recordEnd = LengthOf(LastSegment);
        await log.DisposeAsync();

        switch (damage)
        {
            case TailDamage.CutInHeader:
                Truncate(LastSegment, recordStart + 5);
                break;
            case TailDamage.CutInPayload:
                Truncate(LastSegment, recordEnd - 7);
                break;
            case TailDamage.CutAndFollowedByGarbage:
                Truncate(LastSegment, recordStart + 20);
                AppendBytes(LastSegment, [0xDE, 0xAD, 0xBE, 0xEF, 0x01, 0x02]);
                break;
            case TailDamage.FlippedByte:
                FlipByte(LastSegment, recordEnd - 3);
                break;
        }

        long damagedLength = LengthOf(LastSegment);
        (log, RecoveredLog recovered) = await StartAsync();

        recovered.TruncatedTailBytes.ShouldBe(damagedLength - recordStart);
        LengthOf(LastSegment).ShouldBe(recordStart);
        recovered.Groups[1].HardState.ShouldBe(new HardState(1, 1, 0));
        recovered.Groups[1].Entries.ShouldBeEntries(Es(1, 3, 1));
        recovered.Groups[2].Entries.ShouldBeEntries(E(1, 1));

        await log.SaveAsync(Batch(GroupWrite.Of(1, new HardState(3, 1, 3), Es(4, 5, 3))), Ct);
        (_, recovered) = await RestartAsync(log);

        recovered.TruncatedTailBytes.ShouldBe(0);
        recovered.Groups[1].HardState.ShouldBe(new HardState(3, 1, 3));
        recovered.Groups[1].Entries.ShouldBeEntries([.. Es(1, 3, 1), .. Es(4, 5, 3)]);
        recovered.Groups[2].Entries.ShouldBeEntries(E(1, 1));
    }

    [Fact]
    public async Task a_torn_batch_whose_value_holds_a_whole_record_frame_is_cut_off()
    {
        (FileRaftLog log, _) = await StartAsync();
        await log.SaveAsync(Batch(GroupWrite.Of(1, new HardState(1, 1, 0), Es(1, 3, 1))), Ct);
        long recordStart = LengthOf(LastSegment);

        // A client may store any bytes as a value, a valid record frame among them.
        byte[] frame = FramedBatch(GroupWrite.Of(1, null, E(4, 1)));
        byte[] value = [.. new byte[40], .. frame, .. new byte[40]];
        await log.SaveAsync(Batch(GroupWrite.Of(1, new HardState(2, 1, 3), Entry.Command(4, 2, value))), Ct);
        await log.DisposeAsync();

        // The crash cut the batch after the frame inside its value.
        long frameEnd = recordStart + File.ReadAllBytes(LastSegment).AsSpan((int)recordStart).IndexOf(frame) + frame.Length;
        Truncate(LastSegment, frameEnd + 10);
        (log, RecoveredLog recovered) = await StartAsync();

        recovered.TruncatedTailBytes.ShouldBe(frameEnd + 10 - recordStart);
        LengthOf(LastSegment).ShouldBe(recordStart);
        recovered.Groups[1].HardState.ShouldBe(new HardState(1, 1, 0));
        recovered.Groups[1].Entries.ShouldBeEntries(Es(1, 3, 1));

        await log.SaveAsync(Batch(GroupWrite.Of(1, new HardState(2, 1, 3), Entry.Command(4, 2, value))), Ct);
        (_, recovered) = await RestartAsync(log);

        recovered.TruncatedTailBytes.ShouldBe(0);
        recovered.Groups[1].Entries.ShouldBeEntries([.. Es(1, 3, 1), Entry.Command(4, 2, value)]);
    }

    [Fact]
    public async Task zeros_after_the_last_record_are_cut_off()
    {
        (FileRaftLog log, _) = await StartAsync();
        await log.SaveAsync(Batch(GroupWrite.Of(1, null, Es(1, 3, 1))), Ct);
        await log.DisposeAsync();

        // Space a file system allocated for a write that never reached it reads as zeros.
        AppendBytes(LastSegment, new byte[4096]);
        (log, RecoveredLog recovered) = await StartAsync();

        recovered.TruncatedTailBytes.ShouldBe(4096);
        recovered.Groups[1].Entries.ShouldBeEntries(Es(1, 3, 1));

        await log.SaveAsync(Batch(GroupWrite.Of(1, null, E(4, 1))), Ct);
        (_, recovered) = await RestartAsync(log);

        recovered.TruncatedTailBytes.ShouldBe(0);
        recovered.Groups[1].Entries.ShouldBeEntries(Es(1, 4, 1));
    }

    [Fact]
    public async Task a_torn_batch_installs_no_snapshot()
    {
        (FileRaftLog log, _) = await StartAsync();
        await log.SaveAsync(Batch(GroupWrite.Of(1, new HardState(1, 0, 3), Es(1, 5, 1))), Ct);
        Dictionary<string, byte[]> before = CopyFiles();
        long recordStart = LengthOf(LastSegment);
        await log.SaveAsync(Batch(Install(1, Snap(10, 2), E(11, 2))), Ct);
        await log.DisposeAsync();

        // The snapshot file was durable, but the record that installs it was torn: the batch did not happen.
        CrashDuringLastRecord(before, recordStart, keptBytes: 3);
        (log, RecoveredLog recovered) = await StartAsync();

        recovered.TruncatedTailBytes.ShouldBe(3);

        recovered.Groups[1].Snapshot.ShouldBeNull();
        recovered.Groups[1].Entries.ShouldBeEntries(Es(1, 5, 1));
        SnapshotFiles.ShouldBeEmpty();

        await log.SaveAsync(Batch(Install(1, Snap(10, 2), E(11, 2))), Ct);
        (_, recovered) = await RestartAsync(log);

        recovered.Groups[1].Snapshot.ShouldBeSnapshot(Snap(10, 2));
        recovered.Groups[1].Entries.ShouldBeEntries(E(11, 2));
    }

    [Fact]
    public async Task a_torn_compaction_keeps_the_previous_snapshot_and_every_entry()
    {
        (FileRaftLog log, _) = await StartAsync();
        await log.SaveAsync(Batch(GroupWrite.Of(1, null, Es(1, 10, 1))), Ct);
        await log.CompactAsync(1, Snap(3, 1), Ct);
        Dictionary<string, byte[]> before = CopyFiles();
        long recordStart = LengthOf(LastSegment);
        await log.CompactAsync(1, Snap(6, 1), Ct);
        await log.DisposeAsync();

        CrashDuringLastRecord(before, recordStart, keptBytes: 10);
        (log, RecoveredLog recovered) = await StartAsync();

        recovered.TruncatedTailBytes.ShouldBe(10);

        recovered.Groups[1].Snapshot.ShouldBeSnapshot(Snap(3, 1));
        recovered.Groups[1].Entries.ShouldBeEntries(Es(4, 10, 1));
        SnapshotFiles.Select(Path.GetFileName).ShouldBe(["g00000000000000000001-00000000000000000003.snap"]);

        await log.CompactAsync(1, Snap(6, 1), Ct);
        (_, recovered) = await RestartAsync(log);

        recovered.Groups[1].Snapshot.ShouldBeSnapshot(Snap(6, 1));
        recovered.Groups[1].Entries.ShouldBeEntries(Es(7, 10, 1));
    }
}
