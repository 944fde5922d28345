using System.Text;
using NodeNomad.Raft;
using static NodeNomad.Storage.Tests.LogData;

namespace NodeNomad.Storage.Tests.Marten.Snapshots;

/// <summary>
/// A snapshot document written before the chunk table, its bytes inline, still recovers; the group's next snapshot
/// goes to the chunk table, so a database upgrades as its groups compact.
/// </summary>
public sealed class MartenLegacySnapshotTests(MartenTestDatabase server) : IAsyncLifetime
{
    private const string Schema = "legacy_snapshot";

    private readonly SnapshotNode _node = new(server, Schema);

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public ValueTask InitializeAsync() => ValueTask.CompletedTask;

    public ValueTask DisposeAsync() => _node.DisposeAsync();

    [Fact]
    public async Task a_snapshot_document_with_its_bytes_inline_recovers_and_its_next_snapshot_is_chunked()
    {
        (IRaftLog log, _) = await _node.StartAsync();
        await log.SaveAsync(Batch(GroupWrite.Of(1, new HardState(1, 1, 6), Es(1, 6, 1))), Ct);
        await log.CompactAsync(1, Snap(4, 1), Ct);
        await log.DisposeAsync();
        byte[] legacy = [.. Enumerable.Range(0, 100_000).Select(i => (byte)(i * 7)), .. Encoding.UTF8.GetBytes("state as of 4/1")];
        await MakeLegacyAsync(1, legacy);

        (log, RecoveredLog recovered) = await _node.StartAsync();

        recovered.Groups[1].Snapshot!.Metadata.Index.ShouldBe(4UL);
        recovered.Groups[1].Snapshot!.Data.ToArray().ShouldBe(legacy);
        recovered.Groups[1].Entries.ShouldBeEntries(Es(5, 6, 1));
        Snapshot next = SnapshotNode.Generated(6, 2L << 20, seed: 17);
        await log.CompactAsync(1, next, Ct);
        (_, recovered) = await _node.RestartAsync(log);
        (await _node.ChunkRowsAsync(1)).ShouldBe(2);
        await recovered.Groups[1].Snapshot!.Data.ShouldBeSameBytesAsync(next.Data);
    }

    [Fact]
    public async Task a_dropped_group_with_an_inline_snapshot_is_gone_after_recovery()
    {
        (IRaftLog log, _) = await _node.StartAsync();
        await log.SaveAsync(Batch(GroupWrite.Of(1, null, Es(1, 3, 1)), GroupWrite.Of(2, null, Es(1, 2, 1))), Ct);
        await log.CompactAsync(1, Snap(3, 1), Ct);
        await log.DisposeAsync();
        await MakeLegacyAsync(1, Encoding.UTF8.GetBytes("state as of 3/1"));

        (log, _) = await _node.StartAsync();
        await log.SaveAsync(Drop(1), Ct);
        (_, RecoveredLog recovered) = await _node.RestartAsync(log);

        recovered.Groups.Keys.ShouldBe([2UL]);
    }

    /// <summary>Rewrites the snapshot document of <paramref name="groupId"/> as the log wrote it before the chunk table.</summary>
    private async Task MakeLegacyAsync(ulong groupId, byte[] bytes)
    {
        (await _node.ExecuteAsync(
            $"""
             update {Schema}.mt_doc_groupsnapshotdocument
             set data = (data - 'Data' - 'Chunks' - 'Length' - 'Sha256') || jsonb_build_object('Data', $2::text)
             where id = $1 and data ? 'Chunks' and data ? 'Sha256'
             """,
            groupId,
            Convert.ToBase64String(bytes))).ShouldBe(1);
        (await _node.ExecuteAsync($"delete from {Schema}.nn_snapshot_chunks where snapshot_id = $1", groupId)).ShouldBe(1);
    }
}
