using NodeNomad.Raft;
using NodeNomad.Storage.Marten;
using static NodeNomad.Storage.Tests.LogData;

namespace NodeNomad.Storage.Tests.Marten.Snapshots;

/// <summary>
/// A group's chunk rows live exactly as long as its snapshot: a newer snapshot replaces them, a dropped group takes
/// them along, and a newer snapshot that does not commit (its document not switched, or its writer gone mid-copy)
/// leaves the older one whole and readable, meanwhile too.
/// </summary>
public sealed class MartenSnapshotReplacementTests(MartenTestDatabase server) : IAsyncLifetime
{
    private const string Schema = "snapshot_replacement";

    private readonly SnapshotNode _node = new(server, Schema);

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public ValueTask InitializeAsync() => ValueTask.CompletedTask;

    public ValueTask DisposeAsync() => _node.DisposeAsync();

    [Fact]
    public async Task a_newer_snapshot_leaves_no_rows_of_the_older()
    {
        (IRaftLog log, _) = await StartWithEntriesAsync();
        await log.CompactAsync(1, SnapshotNode.Generated(5, (5L << 20) + 1, seed: 1), Ct);
        (await _node.ChunkRowsAsync(1)).ShouldBe(6);

        Snapshot smaller = SnapshotNode.Generated(8, (1L << 20) + 1, seed: 2);
        await log.CompactAsync(1, smaller, Ct);
        (await _node.ChunkRowsAsync(1)).ShouldBe(2);
        (log, RecoveredLog recovered) = await _node.RestartAsync(log);
        await recovered.Groups[1].Snapshot!.Data.ShouldBeSameBytesAsync(smaller.Data);

        Snapshot installed = SnapshotNode.Generated(20, 300_000, seed: 3);
        await log.SaveAsync(Batch(Install(1, installed)), Ct);
        (await _node.ChunkRowsAsync(1)).ShouldBe(1);
        (_, recovered) = await _node.RestartAsync(log);
        await recovered.Groups[1].Snapshot!.Data.ShouldBeSameBytesAsync(installed.Data);
    }

    [Fact]
    public async Task an_empty_snapshot_replacing_a_large_one_leaves_no_rows_and_reads_back_empty()
    {
        (IRaftLog log, _) = await StartWithEntriesAsync();
        await log.CompactAsync(1, SnapshotNode.Generated(5, (2L << 20) + 1, seed: 14), Ct);

        await log.CompactAsync(1, new Snapshot(new SnapshotMetadata(7, 1, new ConfState([1, 2, 3], [], [])), SnapshotData.Empty), Ct);

        (await _node.ChunkRowsAsync(1)).ShouldBe(0);
        (_, RecoveredLog recovered) = await _node.RestartAsync(log);
        recovered.Groups[1].Snapshot!.Metadata.Index.ShouldBe(7UL);
        recovered.Groups[1].Snapshot!.Data.Length.ShouldBe(0);
        recovered.Groups[1].Entries.ShouldBeEntries(E(8, 1));
    }

    [Fact]
    public async Task dropping_a_group_deletes_its_chunk_rows_and_keeps_the_others()
    {
        (IRaftLog log, _) = await StartWithEntriesAsync();
        await log.CompactAsync(1, SnapshotNode.Generated(5, (2L << 20) + 1, seed: 4), Ct);
        Snapshot kept = SnapshotNode.Generated(3, (1L << 20) + 1, seed: 5);
        await log.CompactAsync(2, kept, Ct);

        await log.SaveAsync(Drop(1), Ct);

        (await _node.ChunkRowsAsync(1)).ShouldBe(0);
        (await _node.ChunkRowsAsync(2)).ShouldBe(2);
        (_, RecoveredLog recovered) = await _node.RestartAsync(log);
        recovered.Groups.Keys.ShouldBe([2UL]);
        await recovered.Groups[2].Snapshot!.Data.ShouldBeSameBytesAsync(kept.Data);
    }

    [Fact]
    public async Task a_group_dropped_and_installed_again_in_one_batch_keeps_only_the_new_rows()
    {
        (IRaftLog log, _) = await StartWithEntriesAsync();
        await log.CompactAsync(1, SnapshotNode.Generated(5, (3L << 20) + 1, seed: 6), Ct);
        Snapshot installed = SnapshotNode.Generated(2, 1000, seed: 7);

        await log.SaveAsync(new LogBatch([Install(1, installed)]) { Dropped = [1] }, Ct);

        (await _node.ChunkRowsAsync(1)).ShouldBe(1);
        (_, RecoveredLog recovered) = await _node.RestartAsync(log);
        await recovered.Groups[1].Snapshot!.Data.ShouldBeSameBytesAsync(installed.Data);
    }

    [Fact]
    public async Task a_snapshot_whose_document_cannot_be_switched_leaves_the_older_one_whole()
    {
        (IRaftLog log, _) = await StartWithEntriesAsync();
        Snapshot older = SnapshotNode.Generated(4, (2L << 20) + 1, seed: 8);
        await log.CompactAsync(1, older, Ct);

        await RefuseSnapshotDocumentsAsync(true);
        Exception refused = await Should.ThrowAsync<Exception>(async () => await log.CompactAsync(1, SnapshotNode.Generated(6, 5L << 20, seed: 9), Ct));
        await RefuseSnapshotDocumentsAsync(false);

        refused.ToString().ShouldContain("could not write: I/O error");
        await log.SaveAsync(Batch(GroupWrite.Of(1, null, E(9, 1))), Ct);

        (await _node.ChunkRowsAsync(1)).ShouldBe(3);
        (log, RecoveredLog recovered) = await _node.RestartAsync(log);
        recovered.Groups[1].Snapshot!.Metadata.Index.ShouldBe(4UL);
        await recovered.Groups[1].Snapshot!.Data.ShouldBeSameBytesAsync(older.Data);
        recovered.Groups[1].Entries.ShouldBeEntries(Es(5, 9, 1));
    }

    [Fact]
    public async Task the_older_snapshot_stays_readable_while_a_newer_one_is_copied_and_after_its_writer_dies()
    {
        (IRaftLog log, _) = await StartWithEntriesAsync();
        Snapshot older = SnapshotNode.Generated(4, (2L << 20) + 1, seed: 10);
        await log.CompactAsync(1, older, Ct);
        var newer = new GeneratedSnapshotData(6L << 20, seed: 11) { PauseAt = (3L << 20) + 100 };

        Task compaction = log.CompactAsync(1, new Snapshot(new SnapshotMetadata(6, 1, new ConfState([1, 2, 3], [], [])), newer), Ct);
        await newer.Paused.WaitAsync(Ct);
        (_, RecoveredLog meanwhile) = await _node.StartAsync();
        await meanwhile.Groups[1].Snapshot!.Data.ShouldBeSameBytesAsync(older.Data);

        (await _node.ScalarAsync<long>(
            $"select count(pg_terminate_backend(pid)) from pg_stat_activity where query like 'copy {Schema}.nn_snapshot_chunks%' and pid <> pg_backend_pid()",
            1)).ShouldBe(1);
        newer.Resume();
        _ = await Should.ThrowAsync<Exception>(() => compaction);

        (await _node.ChunkRowsAsync(1)).ShouldBe(3);
        (_, RecoveredLog recovered) = await _node.RestartAsync(log);
        recovered.Groups[1].Snapshot!.Metadata.Index.ShouldBe(4UL);
        await recovered.Groups[1].Snapshot!.Data.ShouldBeSameBytesAsync(older.Data);
    }

    [Fact]
    public async Task a_newer_snapshot_replaces_the_older_once_its_copy_completes()
    {
        (IRaftLog log, _) = await StartWithEntriesAsync();
        await log.CompactAsync(1, SnapshotNode.Generated(4, (2L << 20) + 1, seed: 12), Ct);
        var newer = new GeneratedSnapshotData(4L << 20, seed: 13) { PauseAt = 2L << 20 };

        Task compaction = log.CompactAsync(1, new Snapshot(new SnapshotMetadata(6, 1, new ConfState([1, 2, 3], [], [])), newer), Ct);
        await newer.Paused.WaitAsync(Ct);
        (await _node.ChunkRowsAsync(1)).ShouldBe(3);
        newer.Resume();
        await compaction;

        (await _node.ChunkRowsAsync(1)).ShouldBe(4);
        (_, RecoveredLog recovered) = await _node.RestartAsync(log);
        recovered.Groups[1].Snapshot!.Metadata.Index.ShouldBe(6UL);
        await recovered.Groups[1].Snapshot!.Data.ShouldBeSameBytesAsync(newer);
    }

    [Fact]
    public async Task a_fenced_writer_s_snapshot_leaves_the_owner_s_rows_alone()
    {
        (IRaftLog stale, _) = await StartWithEntriesAsync();
        Snapshot owners = SnapshotNode.Generated(4, (2L << 20) + 1, seed: 15);
        (IRaftLog owner, _) = await _node.StartAsync();
        await owner.CompactAsync(1, owners, Ct);

        await Should.ThrowAsync<LogFencedException>(async () => await stale.CompactAsync(1, SnapshotNode.Generated(6, 4L << 20, seed: 16), Ct));

        (await _node.ChunkRowsAsync(1)).ShouldBe(3);
        (_, RecoveredLog recovered) = await _node.RestartAsync(owner);
        recovered.Groups[1].Snapshot!.Metadata.Index.ShouldBe(4UL);
        await recovered.Groups[1].Snapshot!.Data.ShouldBeSameBytesAsync(owners.Data);
    }

    private async Task<(IRaftLog Log, RecoveredLog Recovered)> StartWithEntriesAsync()
    {
        (IRaftLog log, RecoveredLog recovered) = await _node.StartAsync();
        await log.SaveAsync(Batch(GroupWrite.Of(1, new HardState(1, 1, 8), Es(1, 8, 1)), GroupWrite.Of(2, new HardState(1, 1, 3), Es(1, 3, 1))), Ct);
        return (log, recovered);
    }

    /// <summary>Makes PostgreSQL refuse, or allow again, writing this test's node's snapshot documents.</summary>
    private async Task RefuseSnapshotDocumentsAsync(bool refuse)
    {
        string table = $"{Schema}.mt_doc_groupsnapshotdocument";
        string sql = refuse
            ? $"""
               create or replace function {Schema}.refuse_snapshot_document() returns trigger language plpgsql as $$
               begin
                 if new.id like '{_node.NodeId}/%' then raise exception 'could not write: I/O error'; end if;
                 return new;
               end $$;
               drop trigger if exists refuse_snapshot_document on {table};
               create trigger refuse_snapshot_document before insert or update on {table} for each row execute function {Schema}.refuse_snapshot_document();
               """
            : $"drop trigger refuse_snapshot_document on {table};";
        await _node.RunAsync(sql);
    }
}
