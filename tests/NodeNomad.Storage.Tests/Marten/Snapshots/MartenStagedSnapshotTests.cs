using NodeNomad.Raft;
using static NodeNomad.Storage.Tests.LogData;

namespace NodeNomad.Storage.Tests.Marten.Snapshots;

/// <summary>
/// A snapshot's rows copied ahead (on another thread than the log's saves) are renamed into place by the save or the
/// compaction that stores it, which then reads none of its bytes; staged rows never stored leave nothing behind, and
/// staged rows that went missing are copied again.
/// </summary>
public sealed class MartenStagedSnapshotTests(MartenTestDatabase server) : IAsyncLifetime
{
    // Nine rows, the last one part-filled.
    private const long Size = (8L << 20) + 1;

    private readonly SnapshotNode _node = new(server, "staged_snapshot");

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public ValueTask InitializeAsync() => ValueTask.CompletedTask;

    public ValueTask DisposeAsync() => _node.DisposeAsync();

    [Fact]
    public async Task a_compaction_of_a_staged_snapshot_renames_its_rows_and_reads_none_of_its_bytes()
    {
        (IRaftLog log, _) = await StartWithEntriesAsync();
        Snapshot snapshot = SnapshotNode.Generated(8, Size, seed: 31);

        await Task.Run(() => log.StageSnapshot(1, snapshot), Ct);
        (await _node.StagedRowsAsync(1)).ShouldBe(9);
        await log.CompactAsync(1, snapshot, Ct);

        Reads(snapshot).ShouldBe(1, "the compaction copied the bytes again");
        (await _node.StagedRowsAsync(1)).ShouldBe(0);
        (await _node.ChunkRowsAsync(1)).ShouldBe(9);
        (_, RecoveredLog recovered) = await _node.RestartAsync(log);
        await recovered.Groups[1].Snapshot!.Data.ShouldBeSameBytesAsync(snapshot.Data);
        recovered.Groups[1].Entries.ShouldBeEntries(Es(9, 10, 1));
    }

    [Fact]
    public async Task a_received_snapshot_staged_ahead_is_installed_by_the_save_that_carries_it()
    {
        (IRaftLog log, _) = await _node.StartAsync();
        Snapshot snapshot = SnapshotNode.Generated(50, Size, seed: 32);

        await Task.Run(() => log.StageSnapshot(2, snapshot), Ct);
        await log.SaveAsync(Batch(new GroupWrite(2, new HardState(3, 1, 50), snapshot, [])), Ct);

        Reads(snapshot).ShouldBe(1);
        (await _node.ChunkRowsAsync(2)).ShouldBe(9);
        (_, RecoveredLog recovered) = await _node.RestartAsync(log);
        await recovered.Groups[2].Snapshot!.Data.ShouldBeSameBytesAsync(snapshot.Data);
    }

    [Fact]
    public async Task a_staged_snapshot_that_does_not_match_what_is_stored_is_copied_afresh_and_recovery_deletes_unused_ones()
    {
        (IRaftLog log, _) = await StartWithEntriesAsync();
        Snapshot staged = SnapshotNode.Generated(8, Size, seed: 33);
        log.StageSnapshot(1, staged);
        var stored = new Snapshot(new SnapshotMetadata(8, 1, ConfState.OfVoters(1, 2)), staged.Data);

        await log.CompactAsync(1, stored, Ct);
        log.StageSnapshot(1, SnapshotNode.Generated(9, Size, seed: 34));

        Reads(staged).ShouldBe(2, "the stored snapshot's bytes were copied afresh");
        (await _node.StagedRowsAsync(1)).ShouldBe(9);
        (_, RecoveredLog recovered) = await _node.RestartAsync(log);
        (await _node.StagedRowsAsync(1)).ShouldBe(0);
        (await _node.ChunkRowsAsync(1)).ShouldBe(9);
        recovered.Groups[1].Snapshot!.Metadata.ConfState.Voters.ShouldBe([1UL, 2UL]);
        await recovered.Groups[1].Snapshot!.Data.ShouldBeSameBytesAsync(staged.Data);
    }

    [Fact]
    public async Task staged_rows_swept_by_another_recovery_of_the_node_are_copied_again()
    {
        (IRaftLog log, _) = await StartWithEntriesAsync();
        Snapshot snapshot = SnapshotNode.Generated(8, Size, seed: 35);
        log.StageSnapshot(1, snapshot);

        _ = await _node.StartAsync();
        (await _node.StagedRowsAsync(1)).ShouldBe(0);
        await log.CompactAsync(1, snapshot, Ct);

        Reads(snapshot).ShouldBe(2);
        (await _node.ChunkRowsAsync(1)).ShouldBe(9);
        (_, RecoveredLog recovered) = await _node.RestartAsync(log);
        await recovered.Groups[1].Snapshot!.Data.ShouldBeSameBytesAsync(snapshot.Data);
    }

    private static int Reads(Snapshot snapshot) => ((GeneratedSnapshotData)snapshot.Data).Reads;

    private async Task<(IRaftLog Log, RecoveredLog Recovered)> StartWithEntriesAsync()
    {
        (IRaftLog log, RecoveredLog recovered) = await _node.StartAsync();
        await log.SaveAsync(Batch(GroupWrite.Of(1, new HardState(1, 1, 10), Es(1, 10, 1))), Ct);
        return (log, recovered);
    }
}
