using NodeNomad.Raft;
using static NodeNomad.Storage.Tests.LogData;

namespace NodeNomad.Storage.Tests;

/// <summary>
/// A snapshot's file written ahead (on another thread than the log's saves) and then put in place by the save or the
/// compaction that stores it, with a rename instead of a copy; staged files never stored leave nothing behind.
/// </summary>
public sealed class StagedSnapshotTests : FileLogTest
{
    [Fact]
    public async Task a_compaction_of_a_staged_snapshot_renames_the_staged_file_and_recovers_the_same_snapshot()
    {
        (FileRaftLog log, _) = await StartAsync();
        await log.SaveAsync(Batch(GroupWrite.Of(1, new HardState(1, 1, 10), Es(1, 10, 1))), Ct);
        var snapshot = BigSnap(8, 1, 100_000);

        log.StageSnapshot(1, snapshot);
        var staged = SnapshotFiles.ShouldHaveSingleItem();
        staged.ShouldEndWith(".tmp");

        await log.CompactAsync(1, snapshot, Ct);
        var stored = SnapshotFiles.ShouldHaveSingleItem();
        stored.ShouldEndWith("g00000000000000000001-00000000000000000008.snap");
        File.Exists(staged).ShouldBeFalse("the staged file became the snapshot's file");

        (_, RecoveredLog recovered) = await RestartAsync(log);
        recovered.Groups[1].Snapshot.ShouldBeSnapshot(snapshot);
        recovered.Groups[1].Snapshot!.Data.ToArray().ShouldBe(snapshot.Data.ToArray());
    }

    [Fact]
    public async Task a_received_snapshot_staged_ahead_is_installed_by_the_save_that_carries_it()
    {
        (FileRaftLog log, _) = await StartAsync();
        var snapshot = BigSnap(50, 3, 70_000);

        await Task.Run(() => log.StageSnapshot(2, snapshot), Ct);
        await log.SaveAsync(Batch(new GroupWrite(2, new HardState(3, 1, 50), snapshot, [])), Ct);

        SnapshotFiles.ShouldHaveSingleItem().ShouldEndWith("g00000000000000000002-00000000000000000050.snap");
        (_, RecoveredLog recovered) = await RestartAsync(log);
        recovered.Groups[2].Snapshot!.Data.ToArray().ShouldBe(snapshot.Data.ToArray());
    }

    [Fact]
    public async Task a_staged_file_that_does_not_match_what_is_stored_is_not_used_and_recovery_deletes_unused_ones()
    {
        (FileRaftLog log, _) = await StartAsync();
        await log.SaveAsync(Batch(GroupWrite.Of(1, new HardState(1, 1, 10), Es(1, 10, 1))), Ct);

        // Same group, index and term, other members: the stored file is written afresh, with the stored members.
        var staged = BigSnap(8, 1, 1000);
        log.StageSnapshot(1, staged);
        var stored = new Snapshot(new SnapshotMetadata(8, 1, ConfState.OfVoters(1, 2)), staged.Data);
        await log.CompactAsync(1, stored, Ct);

        // Another staged snapshot nobody stores.
        log.StageSnapshot(1, BigSnap(9, 1, 1000));
        SnapshotFiles.Length.ShouldBe(2);

        (_, RecoveredLog recovered) = await RestartAsync(log);
        recovered.Groups[1].Snapshot!.Metadata.ConfState.Voters.ShouldBe([1UL, 2UL]);
        SnapshotFiles.ShouldHaveSingleItem().ShouldEndWith("-00000000000000000008.snap");
    }
}
