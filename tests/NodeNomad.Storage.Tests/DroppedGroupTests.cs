using NodeNomad.Raft;
using static NodeNomad.Storage.Tests.LogData;

namespace NodeNomad.Storage.Tests;

/// <summary>
/// A dropped group's snapshot file and the segments only it kept are deleted; its tombstone is a record like any
/// other, so a torn one is cut off (the drop did not happen) and a damaged one followed by others is corruption.
/// </summary>
public sealed class DroppedGroupTests : FileLogTest
{
    private const string SnapshotOfGroup1At4 = "g00000000000000000001-00000000000000000004.snap";

    public DroppedGroupTests() => Options = new FileRaftLogOptions { SegmentBytes = 4096 };

    /// <summary>Bytes the files of the data directory take, the lock aside.</summary>
    private long DiskBytes => Directory.GetFiles(DataDirectory, "*", SearchOption.AllDirectories)
        .Where(path => Path.GetFileName(path) != "LOCK")
        .Sum(LengthOf);

    [Fact]
    public async Task dropping_a_group_deletes_its_snapshot_file_and_keeps_the_others()
    {
        (FileRaftLog log, _) = await StartAsync();
        await log.SaveAsync(Batch(GroupWrite.Of(1, null, Es(1, 6, 1)), GroupWrite.Of(2, null, Es(1, 6, 1))), Ct);
        await log.CompactAsync(1, Snap(4, 1), Ct);
        await log.CompactAsync(2, Snap(5, 1), Ct);

        await log.SaveAsync(Drop(1), Ct);

        SnapshotFiles.Select(Path.GetFileName).ShouldBe(["g00000000000000000002-00000000000000000005.snap"]);
        log.Statistics.Bytes.ShouldBe(DiskBytes);
        (_, RecoveredLog recovered) = await RestartAsync(log);
        recovered.Groups.Keys.ShouldBe([2UL]);
        recovered.Groups[2].Snapshot.ShouldBeSnapshot(Snap(5, 1));
    }

    [Fact]
    public async Task the_segments_only_a_dropped_group_kept_are_deleted_at_once_the_one_it_shared_with_the_tombstone_too()
    {
        (FileRaftLog log, _) = await StartAsync();
        await log.SaveAsync(Batch(GroupWrite.Of(2, new HardState(1, 2, 0))), Ct);
        for (ulong i = 1; i <= 40; i++)
        {
            await log.SaveAsync(Batch(GroupWrite.Of(1, new HardState(1, 1, i - 1), Big(i, 1))), Ct);
        }

        Segments.Length.ShouldBeGreaterThan(2);
        string active = LastSegment;
        long bytes = DiskBytes;

        await log.SaveAsync(Drop(1), Ct);

        // The segment that took the tombstone held the group's last entries: the log moves on to a new one at once,
        // and the old one, now kept by nothing, goes with the others.
        Segments.ShouldHaveSingleItem().ShouldNotBe(active);
        DiskBytes.ShouldBeLessThan(1024);
        DiskBytes.ShouldBeLessThan(bytes / 10);
        log.Statistics.Bytes.ShouldBe(DiskBytes);
        log.Statistics.Segments.ShouldBe(1);
        (_, RecoveredLog recovered) = await RestartAsync(log);
        recovered.Groups.Keys.ShouldBe([2UL]);
        recovered.Groups[2].HardState.ShouldBe(new HardState(1, 2, 0));
    }

    [Fact]
    public async Task a_group_dropped_part_way_through_the_kept_segments_recovers_as_dropped()
    {
        (FileRaftLog log, _) = await StartAsync();

        // Three segments, the last holding a few of group 1's entries.
        ulong last = 0;
        for (int more = 3; Segments.Length < 3 || more-- > 0;)
        {
            last++;
            await log.SaveAsync(Batch(GroupWrite.Of(1, new HardState(1, 1, last), Big(last, 1)), GroupWrite.Of(2, null, E(last, 1))), Ct);
        }

        await log.CompactAsync(2, Snap(last, 1), Ct);
        Segments.Length.ShouldBe(3);
        await log.SaveAsync(Drop(1), Ct);

        // The segments with group 1's entries are gone, the one that took the tombstone too: the log moved on from it.
        Segments.ShouldHaveSingleItem();
        (log, RecoveredLog recovered) = await RestartAsync(log);

        recovered.Groups.Keys.ShouldBe([2UL]);
        recovered.Groups[2].Snapshot.ShouldBeSnapshot(Snap(last, 1));
        await log.SaveAsync(Batch(GroupWrite.Of(1, null, E(1, 2))), Ct);
        (_, recovered) = await RestartAsync(log);
        recovered.Groups[1].Entries.ShouldBeEntries(E(1, 2));
    }

    [Fact]
    public async Task a_group_recreated_after_its_drop_keeps_only_the_segments_of_its_new_entries()
    {
        (FileRaftLog log, _) = await StartAsync();
        for (ulong i = 1; i <= 30; i++)
        {
            await log.SaveAsync(Batch(GroupWrite.Of(1, null, Big(i, 1))), Ct);
        }

        await log.SaveAsync(new LogBatch([GroupWrite.Of(1, null, Big(1, 2))]) { Dropped = [1] }, Ct);
        for (ulong i = 2; i <= 10; i++)
        {
            await log.SaveAsync(Batch(GroupWrite.Of(1, null, Big(i, 2))), Ct);
        }

        // The old log's entries up to 30 keep no segment: compacting the new one up to 10 frees all but the active one.
        await log.CompactAsync(1, Snap(10, 2), Ct);
        Segments.ShouldHaveSingleItem();
        (_, RecoveredLog recovered) = await RestartAsync(log);

        recovered.Groups[1].Snapshot.ShouldBeSnapshot(Snap(10, 2));
        recovered.Groups[1].Entries.ShouldBeEmpty();
    }

    [Theory]
    [InlineData(5)]
    [InlineData(12)]
    [InlineData(28)]
    public async Task a_torn_drop_is_cut_off_and_the_group_is_back_as_it_was(long keptBytes)
    {
        (FileRaftLog log, _) = await StartAsync();
        await log.SaveAsync(Batch(GroupWrite.Of(1, new HardState(1, 1, 5), Es(1, 6, 1)), GroupWrite.Of(2, null, E(1, 1))), Ct);
        await log.CompactAsync(1, Snap(4, 1), Ct);
        Dictionary<string, byte[]> before = CopyFiles();
        string holder = LastSegment;
        await log.SaveAsync(Drop(1), Ct);

        // The segment that took the tombstone ends with it (29 bytes for one group), rewritten without group 1's entries.
        byte[] tombstone = new byte[WalRecordCodec.FramedSize(new BatchRecord([]) { Dropped = [1] })];
        WalRecordCodec.WriteFramed(new BatchRecord([]) { Dropped = [1] }, tombstone);
        tombstone.Length.ShouldBe(29);
        File.ReadAllBytes(holder)[^29..].ShouldBe(tombstone);
        await log.DisposeAsync();

        // The snapshot file is deleted only once the tombstone is durable: torn, it is still there.
        CrashDuringRecord(before, holder, tombstone, keptBytes);
        (log, RecoveredLog recovered) = await StartAsync();

        recovered.TruncatedTailBytes.ShouldBe(keptBytes);
        recovered.Groups[1].HardState.ShouldBe(new HardState(1, 1, 5));
        recovered.Groups[1].Snapshot.ShouldBeSnapshot(Snap(4, 1));
        recovered.Groups[1].Entries.ShouldBeEntries(Es(5, 6, 1));
        recovered.Groups[2].Entries.ShouldBeEntries(E(1, 1));
        SnapshotFiles.Select(Path.GetFileName).ShouldBe([SnapshotOfGroup1At4]);

        await log.SaveAsync(Drop(1), Ct);
        (_, recovered) = await RestartAsync(log);

        recovered.Groups.Keys.ShouldBe([2UL]);
        SnapshotFiles.ShouldBeEmpty();
    }

    [Fact]
    public async Task a_damaged_drop_followed_by_another_record_is_corruption()
    {
        (FileRaftLog log, _) = await StartAsync();
        await log.SaveAsync(Batch(GroupWrite.Of(1, null, Es(1, 2, 1)), GroupWrite.Of(2, null, E(1, 1))), Ct);
        string holder = LastSegment;
        await log.SaveAsync(Drop(1), Ct);
        await log.SaveAsync(Batch(GroupWrite.Of(2, null, E(2, 1))), Ct);
        await log.DisposeAsync();

        // A byte of the dropped group's id: replaying past it would bring group 1 back, or drop another. The tombstone
        // ends its segment (the log moved on from it), and a later one follows.
        Segments.Length.ShouldBe(2);
        long damagedRecord = LengthOf(holder) - 29;
        FlipByte(holder, damagedRecord + 12 + 5);
        Dictionary<string, string> files = HashFiles();
        LogCorruptedException error = await RecoveryFailsAsync();

        error.Message.ShouldContain(holder);
        error.Message.ShouldContain($"offset {damagedRecord}");
        HashFiles().ShouldBe(files);
    }

    [Fact]
    public async Task a_drop_whose_record_cannot_be_written_leaves_the_log_refusing_writes_and_the_group_as_it_was()
    {
        (FileRaftLog log, _) = await StartAsync();
        ulong last = 0;
        while (LengthOf(LastSegment) < Options.SegmentBytes)
        {
            last++;
            await log.SaveAsync(Batch(GroupWrite.Of(1, new HardState(1, 1, last), Big(last, 1))), Ct);
        }

        // The tombstone starts the next segment, whose file cannot be created: a directory stands in its way.
        string next = Path.Combine(WalDirectory, $"{Segments.Length + 1:D16}.wal");
        _ = Directory.CreateDirectory(next);
        await Should.ThrowAsync<IOException>(async () => await log.SaveAsync(Drop(1), Ct));

        await Should.ThrowAsync<InvalidOperationException>(async () => await log.SaveAsync(Batch(GroupWrite.Of(2, null, E(1, 1))), Ct));
        Directory.Delete(next);
        (log, RecoveredLog recovered) = await RestartAsync(log);

        recovered.Groups[1].HardState.ShouldBe(new HardState(1, 1, last));
        recovered.Groups[1].Entries.ShouldBeEntries(Enumerable.Range(1, (int)last).Select(i => Big((ulong)i, 1)));

        await log.SaveAsync(Drop(1), Ct);
        (_, recovered) = await RestartAsync(log);
        recovered.Groups.ShouldBeEmpty();
    }

    [Fact]
    public async Task a_drop_whose_snapshot_file_cannot_be_deleted_takes_effect_and_recovery_deletes_the_file()
    {
        (FileRaftLog log, _) = await StartAsync();
        await log.SaveAsync(Batch(GroupWrite.Of(1, new HardState(1, 1, 6), Es(1, 6, 1)), GroupWrite.Of(2, null, E(1, 1))), Ct);
        await log.CompactAsync(1, Snap(4, 1), Ct);

        // A file that cannot be deleted: a directory with something in it stands in for it.
        string snapshot = SnapshotFiles.ShouldHaveSingleItem();
        File.Delete(snapshot);
        _ = Directory.CreateDirectory(snapshot);
        File.WriteAllBytes(Path.Combine(snapshot, "held"), [1]);
        await Should.ThrowAsync<UnauthorizedAccessException>(async () => await log.SaveAsync(Drop(1), Ct));

        // The tombstone is durable, but the save failed: the log refuses writes until it is recovered.
        await Should.ThrowAsync<InvalidOperationException>(async () => await log.SaveAsync(Batch(GroupWrite.Of(2, null, E(2, 1))), Ct));
        await log.DisposeAsync();
        Directory.Delete(snapshot, recursive: true);
        File.WriteAllBytes(snapshot, [1, 2, 3]);
        (log, RecoveredLog recovered) = await StartAsync();

        recovered.Groups.Keys.ShouldBe([2UL]);
        SnapshotFiles.ShouldBeEmpty();
        await log.SaveAsync(Batch(GroupWrite.Of(2, null, E(2, 1))), Ct);
        (_, recovered) = await RestartAsync(log);
        recovered.Groups[2].Entries.ShouldBeEntries(Es(1, 2, 1));
    }
}
