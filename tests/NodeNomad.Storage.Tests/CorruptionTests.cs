using NodeNomad.Raft;
using static NodeNomad.Storage.Tests.LogData;

namespace NodeNomad.Storage.Tests;

/// <summary>Damage anywhere but the torn tail stops the node, says where it is, and leaves the files as they were.</summary>
public sealed class CorruptionTests : FileLogTest
{
    public CorruptionTests() => Options = new FileRaftLogOptions { SegmentBytes = 4096 };

    [Fact]
    public async Task a_damaged_record_followed_by_another_is_corruption()
    {
        (FileRaftLog log, _) = await StartAsync();
        await log.SaveAsync(Batch(GroupWrite.Of(1, null, Es(1, 2, 1))), Ct);
        long damagedRecord = LengthOf(LastSegment);
        await log.SaveAsync(Batch(GroupWrite.Of(1, null, Es(3, 4, 1))), Ct);
        await log.SaveAsync(Batch(GroupWrite.Of(1, null, Es(5, 6, 1))), Ct);
        await log.DisposeAsync();

        FlipByte(LastSegment, damagedRecord + 12);
        Dictionary<string, string> files = HashFiles();
        LogCorruptedException error = await RecoveryFailsAsync();

        error.Message.ShouldContain(LastSegment);
        error.Message.ShouldContain($"offset {damagedRecord}");
        error.Message.ShouldContain("refuses to start");
        HashFiles().ShouldBe(files);
    }

    [Fact]
    public async Task a_damaged_record_whose_value_holds_a_record_frame_is_corruption_when_a_record_follows_it()
    {
        (FileRaftLog log, _) = await StartAsync();
        await log.SaveAsync(Batch(GroupWrite.Of(1, null, Es(1, 2, 1))), Ct);
        long damagedRecord = LengthOf(LastSegment);
        byte[] value = [.. new byte[40], .. FramedBatch(GroupWrite.Of(1, null, E(3, 1))), .. new byte[40]];
        await log.SaveAsync(Batch(GroupWrite.Of(1, null, Entry.Command(3, 1, value))), Ct);
        await log.SaveAsync(Batch(GroupWrite.Of(1, null, Es(4, 5, 1))), Ct);
        await log.DisposeAsync();

        FlipByte(LastSegment, damagedRecord + 12);
        LogCorruptedException error = await RecoveryFailsAsync();

        error.Message.ShouldContain(LastSegment);
        error.Message.ShouldContain($"offset {damagedRecord}");
    }

    [Theory]
    [InlineData(0)]
    [InlineData(2)]
    [InlineData(3)]
    public async Task a_damaged_length_is_corruption_not_a_torn_tail(int byteOfLength)
    {
        // A flipped bit in a length can make a record seem to run past the end of the file, which is what a
        // torn write looks like; the length's own checksum tells the two apart.
        (FileRaftLog log, _) = await StartAsync();
        await log.SaveAsync(Batch(GroupWrite.Of(1, null, Es(1, 2, 1))), Ct);
        long damagedRecord = LengthOf(LastSegment);
        await log.SaveAsync(Batch(GroupWrite.Of(1, null, Es(3, 4, 1))), Ct);
        await log.SaveAsync(Batch(GroupWrite.Of(1, null, Es(5, 6, 1))), Ct);
        await log.DisposeAsync();

        FlipByte(LastSegment, damagedRecord + byteOfLength);
        LogCorruptedException error = await RecoveryFailsAsync();

        error.Message.ShouldContain($"offset {damagedRecord}");
        error.Message.ShouldContain("header");
    }

    [Fact]
    public async Task a_damaged_record_in_an_older_segment_is_corruption()
    {
        (FileRaftLog log, _) = await StartAsync();
        for (ulong i = 1; i <= 30; i++)
        {
            await log.SaveAsync(Batch(GroupWrite.Of(1, null, Big(i, 1))), Ct);
        }

        await log.DisposeAsync();
        Segments.Length.ShouldBeGreaterThan(2);

        string older = Segments[1];
        FlipByte(older, LengthOf(older) - 1);
        Dictionary<string, string> files = HashFiles();
        LogCorruptedException error = await RecoveryFailsAsync();

        error.Message.ShouldContain(older);
        HashFiles().ShouldBe(files);
    }

    [Fact]
    public async Task a_missing_segment_is_corruption()
    {
        (FileRaftLog log, _) = await StartAsync();
        for (ulong i = 1; i <= 30; i++)
        {
            await log.SaveAsync(Batch(GroupWrite.Of(1, null, Big(i, 1))), Ct);
        }

        await log.DisposeAsync();
        string missing = Segments[1];
        File.Delete(missing);

        (await RecoveryFailsAsync()).Message.ShouldContain(missing);
    }

    [Fact]
    public async Task a_log_whose_segments_are_all_missing_is_corruption()
    {
        (FileRaftLog log, _) = await StartAsync();
        await log.SaveAsync(Batch(GroupWrite.Of(1, null, Es(1, 5, 1))), Ct);
        await log.CompactAsync(1, Snap(4, 1), Ct);
        await log.DisposeAsync();

        foreach (string segment in Segments)
        {
            File.Delete(segment);
        }

        (await RecoveryFailsAsync()).Message.ShouldContain("the log is missing");
        SnapshotFiles.ShouldHaveSingleItem();
    }

    [Fact]
    public async Task a_damaged_snapshot_file_is_corruption()
    {
        (FileRaftLog log, _) = await StartAsync();
        await log.SaveAsync(Batch(GroupWrite.Of(1, null, Es(1, 5, 1))), Ct);
        await log.CompactAsync(1, Snap(4, 1), Ct);
        await log.DisposeAsync();

        string snapshot = SnapshotFiles.ShouldHaveSingleItem();
        FlipByte(snapshot, LengthOf(snapshot) / 2);

        (await RecoveryFailsAsync()).Message.ShouldContain(snapshot);
    }

    [Fact]
    public async Task a_snapshot_the_log_records_but_snap_lacks_is_corruption()
    {
        (FileRaftLog log, _) = await StartAsync();
        await log.SaveAsync(Batch(GroupWrite.Of(1, null, Es(1, 5, 1))), Ct);
        await log.CompactAsync(1, Snap(4, 1), Ct);
        await log.DisposeAsync();

        File.Delete(SnapshotFiles.ShouldHaveSingleItem());

        (await RecoveryFailsAsync()).Message.ShouldContain("snapshot of group 1 at index 4");
    }

    [Fact]
    public async Task an_intact_last_record_that_cannot_be_read_is_corruption_not_a_torn_tail()
    {
        (FileRaftLog log, _) = await StartAsync();
        await log.SaveAsync(Batch(GroupWrite.Of(1, null, Es(1, 2, 1))), Ct);
        await log.DisposeAsync();

        // Its checksums hold, so it was written whole and may be an acknowledged batch (of a newer version, say):
        // a crash does not leave such a record, so cutting it off could drop acknowledged entries.
        long offset = LengthOf(LastSegment);
        byte[] framed = FramedBatch(GroupWrite.Of(1, null, E(3, 1)));
        framed[RecordFrame.HeaderSize] = 0x7F;
        RecordFrame.Seal(framed);
        AppendBytes(LastSegment, framed);
        Dictionary<string, string> files = HashFiles();

        LogCorruptedException error = await RecoveryFailsAsync();

        error.Message.ShouldContain($"offset {offset}");
        error.Message.ShouldContain("cannot be read");
        HashFiles().ShouldBe(files);
    }

    [Fact]
    public async Task an_intact_record_whose_entries_leave_a_gap_is_corruption()
    {
        (FileRaftLog log, _) = await StartAsync();
        await log.SaveAsync(Batch(GroupWrite.Of(1, null, Es(1, 2, 1))), Ct);
        await log.DisposeAsync();

        // A record the log would never write: its checksum holds, its content contradicts the log.
        long offset = LengthOf(LastSegment);
        AppendBytes(LastSegment, FramedBatch(GroupWrite.Of(1, null, E(4, 1))));

        LogCorruptedException error = await RecoveryFailsAsync();

        error.Message.ShouldContain($"offset {offset}");
        error.Message.ShouldContain("entry 4 of group 1 leaves a gap");
    }
}
