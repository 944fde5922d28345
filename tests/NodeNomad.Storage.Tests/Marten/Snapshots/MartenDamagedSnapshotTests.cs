using NodeNomad.Raft;
using static NodeNomad.Storage.Tests.LogData;

namespace NodeNomad.Storage.Tests.Marten.Snapshots;

/// <summary>
/// A snapshot whose rows in PostgreSQL were changed, lost or cut, or whose document no longer matches them, fails
/// recovery with <see cref="LogCorruptedException"/> naming the snapshot, rather than handing the node wrong state.
/// </summary>
public sealed class MartenDamagedSnapshotTests(MartenTestDatabase server) : IAsyncLifetime
{
    private const string Schema = "damaged_snapshot";

    // Four rows, the last one part-filled.
    private const long Size = (3L << 20) + 500_000;

    private readonly SnapshotNode _node = new(server, Schema);

    public ValueTask InitializeAsync() => ValueTask.CompletedTask;

    public ValueTask DisposeAsync() => _node.DisposeAsync();

    [Fact]
    public async Task a_row_whose_bytes_changed_fails_recovery_as_corruption()
    {
        LogCorruptedException damaged = await RecoverAfterAsync(
            $"update {Schema}.nn_snapshot_chunks set data = decode(repeat('ab', length(data)), 'hex') where snapshot_id = $1 and seq = 2");

        damaged.Message.ShouldContain("its bytes hash to");
    }

    [Fact]
    public async Task a_missing_row_fails_recovery_as_corruption()
    {
        LogCorruptedException damaged = await RecoverAfterAsync($"delete from {Schema}.nn_snapshot_chunks where snapshot_id = $1 and seq = 1");

        damaged.Message.ShouldContain("row 1 is missing (the next row is 2)");
    }

    [Fact]
    public async Task a_missing_last_row_fails_recovery_as_corruption()
    {
        LogCorruptedException damaged = await RecoverAfterAsync($"delete from {Schema}.nn_snapshot_chunks where snapshot_id = $1 and seq = 3");

        damaged.Message.ShouldContain("3 rows of 3145728 bytes were found; the document says 4 rows of 3645728 bytes");
    }

    [Fact]
    public async Task a_cut_row_fails_recovery_as_corruption()
    {
        LogCorruptedException damaged = await RecoverAfterAsync(
            $"update {Schema}.nn_snapshot_chunks set data = substring(data from 1 for 1000) where snapshot_id = $1 and seq = 0");

        damaged.Message.ShouldContain("the document says 4 rows of 3645728 bytes");
    }

    [Fact]
    public async Task a_document_whose_checksum_differs_from_its_rows_fails_recovery_as_corruption()
    {
        LogCorruptedException damaged = await RecoverAfterAsync(
            $"update {Schema}.mt_doc_groupsnapshotdocument set data = jsonb_set(data, '{{Sha256}}', to_jsonb(repeat('0', 64))) where id = $1");

        damaged.Message.ShouldContain($"not to the {new string('0', 64)} written");
    }

    [Fact]
    public async Task a_document_that_lost_its_row_count_fails_recovery_as_corruption()
    {
        LogCorruptedException damaged = await RecoverAfterAsync(
            $"update {Schema}.mt_doc_groupsnapshotdocument set data = jsonb_set(data, '{{Chunks}}', '0') where id = $1");

        damaged.Message.ShouldContain("4 rows of 3645728 bytes were found; the document says 0 rows");
    }

    /// <summary>Stores a snapshot of group 1, damages it with <paramref name="sql"/> (one row), and recovers.</summary>
    private async Task<LogCorruptedException> RecoverAfterAsync(string sql)
    {
        (IRaftLog log, _) = await _node.StartAsync();
        await log.SaveAsync(Batch(GroupWrite.Of(1, new HardState(1, 1, 4), Es(1, 4, 1))), TestContext.Current.CancellationToken);
        await log.CompactAsync(1, SnapshotNode.Generated(4, Size, seed: 13), TestContext.Current.CancellationToken);
        await log.DisposeAsync();

        (await _node.ExecuteAsync(sql, 1)).ShouldBe(1);

        LogCorruptedException damaged = await Should.ThrowAsync<LogCorruptedException>(_node.StartAsync);
        damaged.Message.ShouldContain($"The snapshot {_node.NodeId}/1 at index 4 stored in PostgreSQL is damaged");
        return damaged;
    }
}
