using NodeNomad.Raft;
using static NodeNomad.Storage.Tests.LogData;

namespace NodeNomad.Storage.Tests;

/// <summary>
/// A compaction whose snapshot file cannot be stored loses nothing: the node logs it and goes on, so the log keeps
/// taking writes, a later compaction succeeds, and recovery finds every acknowledged entry.
/// </summary>
public sealed class FailedCompactionTests : FileLogTest
{
    public enum SnapshotFault
    {
        // The disk is full: the snapshot's temporary file cannot be written.
        DiskFull,

        // The temporary file is written, but renaming it to its name fails.
        RenameFails,
    }

    public FailedCompactionTests() => Options = new FileRaftLogOptions { SegmentBytes = 4096 };

    [Theory]
    [InlineData(SnapshotFault.DiskFull)]
    [InlineData(SnapshotFault.RenameFails)]
    public async Task a_compaction_whose_snapshot_file_fails_leaves_the_log_writable_and_every_entry_recoverable(SnapshotFault fault)
    {
        (FileRaftLog log, _) = await StartAsync();
        await log.SaveAsync(Batch(GroupWrite.Of(1, new HardState(1, 1, 10), Es(1, 10, 1))), Ct);

        string snapshot = Path.Combine(SnapDirectory, "g00000000000000000001-00000000000000000008.snap");
        Action repair = Inject(fault, snapshot);
        await Should.ThrowAsync<IOException>(async () => await log.CompactAsync(1, Snap(8, 1), Ct));

        await log.SaveAsync(Batch(GroupWrite.Of(1, new HardState(1, 1, 12), Es(11, 12, 1))), Ct);
        SnapshotFiles.ShouldBeEmpty("a snapshot file that failed takes no space");
        (log, RecoveredLog recovered) = await RestartAsync(log);

        recovered.TruncatedTailBytes.ShouldBe(0);
        recovered.Groups[1].Snapshot.ShouldBeNull();
        recovered.Groups[1].HardState.ShouldBe(new HardState(1, 1, 12));
        recovered.Groups[1].Entries.ShouldBeEntries(Es(1, 12, 1));

        // Once the disk is sound again the same snapshot is taken, and the log goes on after it.
        repair();
        await log.CompactAsync(1, Snap(8, 1), Ct);
        await log.SaveAsync(Batch(GroupWrite.Of(1, new HardState(1, 1, 13), E(13, 1))), Ct);
        (_, recovered) = await RestartAsync(log);

        recovered.Groups[1].Snapshot.ShouldBeSnapshot(Snap(8, 1));
        recovered.Groups[1].HardState.ShouldBe(new HardState(1, 1, 13));
        recovered.Groups[1].Entries.ShouldBeEntries(Es(9, 13, 1));
    }

    [Fact]
    public async Task writes_after_a_failed_compaction_fill_new_segments_and_all_recover()
    {
        (FileRaftLog log, _) = await StartAsync();
        for (ulong i = 1; i <= 10; i++)
        {
            await log.SaveAsync(Batch(GroupWrite.Of(1, null, Big(i, 1))), Ct);
        }

        string snapshot = Path.Combine(SnapDirectory, "g00000000000000000001-00000000000000000010.snap");
        _ = Inject(SnapshotFault.DiskFull, snapshot);
        await Should.ThrowAsync<IOException>(async () => await log.CompactAsync(1, Snap(10, 1), Ct));

        // Enough writes to start new segments after the failed compaction.
        for (ulong i = 11; i <= 40; i++)
        {
            await log.SaveAsync(Batch(GroupWrite.Of(1, new HardState(1, 1, i), Big(i, 1))), Ct);
        }

        Segments.Length.ShouldBeGreaterThan(2);
        (_, RecoveredLog recovered) = await RestartAsync(log);

        recovered.Groups[1].Snapshot.ShouldBeNull();
        recovered.Groups[1].HardState.ShouldBe(new HardState(1, 1, 40));
        recovered.Groups[1].Entries.ShouldBeEntries(Enumerable.Range(1, 40).Select(i => Big((ulong)i, 1)));
    }

    [Fact]
    public async Task a_compaction_that_cannot_delete_the_snapshot_it_replaced_still_takes_effect()
    {
        (FileRaftLog log, _) = await StartAsync();
        await log.SaveAsync(Batch(GroupWrite.Of(1, new HardState(1, 1, 10), Es(1, 10, 1))), Ct);
        await log.CompactAsync(1, Snap(4, 1), Ct);

        // A file that cannot be deleted: a directory with something in it stands in for it.
        string replaced = SnapshotFiles.ShouldHaveSingleItem();
        File.Delete(replaced);
        _ = Directory.CreateDirectory(replaced);
        File.WriteAllBytes(Path.Combine(replaced, "held"), [1]);
        await Should.ThrowAsync<UnauthorizedAccessException>(async () => await log.CompactAsync(1, Snap(10, 1), Ct));

        // Group 2's writes start new segments, whose checkpoints name group 1's snapshot; its compaction then
        // deletes the segment that recorded group 1's compaction.
        for (ulong i = 1; i <= 30; i++)
        {
            await log.SaveAsync(Batch(GroupWrite.Of(2, null, Big(i, 1))), Ct);
        }

        await log.CompactAsync(2, Snap(30, 1), Ct);
        Segments.Length.ShouldBe(1);
        (_, RecoveredLog recovered) = await RestartAsync(log);

        recovered.Groups[1].Snapshot.ShouldBeSnapshot(Snap(10, 1));
        recovered.Groups[1].Entries.ShouldBeEmpty();
        recovered.Groups[2].Snapshot.ShouldBeSnapshot(Snap(30, 1));
    }

    /// <summary>Makes writing the snapshot file <paramref name="snapshot"/> fail, and returns what undoes that.</summary>
    private static Action Inject(SnapshotFault fault, string snapshot)
    {
        switch (fault)
        {
            case SnapshotFault.DiskFull:
                // Every write to /dev/full fails with ENOSPC, as on a full disk.
                string temp = snapshot + ".tmp";
                _ = File.CreateSymbolicLink(temp, "/dev/full");
                return () => File.Delete(temp);
            case SnapshotFault.RenameFails:
                // A file cannot be renamed over a directory.
                _ = Directory.CreateDirectory(snapshot);
                return () => Directory.Delete(snapshot);
            default:
                throw new ArgumentOutOfRangeException(nameof(fault), fault, null);
        }
    }
}
