using static NodeNomad.Storage.Tests.LogData;

namespace NodeNomad.Storage.Tests;

/// <summary>What the log keeps in its data directory, and who may use it.</summary>
public sealed class DataDirectoryTests : FileLogTest
{
    [Fact]
    public async Task the_log_keeps_numbered_segments_in_wal_and_one_snapshot_file_per_group_in_snap()
    {
        (FileRaftLog log, _) = await StartAsync();
        await log.SaveAsync(Batch(GroupWrite.Of(1, null, Es(1, 10, 1)), GroupWrite.Of(2, null, Es(1, 3, 1))), Ct);
        await log.CompactAsync(1, Snap(4, 1), Ct);
        await log.CompactAsync(1, Snap(10, 1), Ct);
        await log.SaveAsync(Batch(Install(2, Snap(12, 2))), Ct);

        Segments.Select(Path.GetFileName).ShouldBe(["0000000000000001.wal"]);
        SnapshotFiles.Select(Path.GetFileName).ShouldBe([
            "g00000000000000000001-00000000000000000010.snap",
            "g00000000000000000002-00000000000000000012.snap",
        ]);
    }

    [Fact]
    public async Task the_bytes_in_the_statistics_are_those_of_the_segments_and_snapshots()
    {
        (FileRaftLog log, _) = await StartAsync();
        await log.SaveAsync(Batch(GroupWrite.Of(1, null, Es(1, 10, 1))), Ct);
        await log.CompactAsync(1, Snap(4, 1), Ct);

        log.Statistics.Bytes.ShouldBe(Segments.Concat(SnapshotFiles).Sum(LengthOf));
    }

    [Fact]
    public async Task a_snapshot_whose_write_was_interrupted_is_discarded()
    {
        (FileRaftLog log, _) = await StartAsync();
        await log.SaveAsync(Batch(GroupWrite.Of(1, null, Es(1, 10, 1))), Ct);
        await log.DisposeAsync();
        string interrupted = Path.Combine(SnapDirectory, "g00000000000000000001-00000000000000000005.snap.tmp");
        File.WriteAllBytes(interrupted, [1, 2, 3]);

        (_, RecoveredLog recovered) = await StartAsync();

        File.Exists(interrupted).ShouldBeFalse();
        recovered.Groups[1].Snapshot.ShouldBeNull();
        recovered.Groups[1].Entries.ShouldBeEntries(Es(1, 10, 1));
    }

    [Fact]
    public async Task a_second_log_cannot_recover_a_data_directory_in_use()
    {
        _ = await StartAsync();

        FileRaftLog second = Open();
        await Should.ThrowAsync<IOException>(async () => await second.RecoverAsync(Ct));
    }

    [Fact]
    public async Task a_log_without_fsync_still_keeps_what_it_wrote()
    {
        var log = new FileRaftLog(DataDirectory, new FileRaftLogOptions { SyncEnabled = false });
        await using (log)
        {
            _ = await log.RecoverAsync(Ct);
            await log.SaveAsync(Batch(GroupWrite.Of(1, null, Es(1, 3, 1))), Ct);
        }

        (_, RecoveredLog recovered) = await StartAsync();

        recovered.Groups[1].Entries.ShouldBeEntries(Es(1, 3, 1));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(2L * 1024 * 1024 * 1024)]
    public void a_segment_size_out_of_range_is_rejected(long segmentBytes) =>
        Should.Throw<ArgumentOutOfRangeException>(() => new FileRaftLog(DataDirectory, new FileRaftLogOptions { SegmentBytes = segmentBytes }));
}
