using Npgsql;
using NodeNomad.Raft;
using NodeNomad.Storage.Marten;
using static NodeNomad.Storage.Tests.LogData;

namespace NodeNomad.Storage.Tests.Marten.Snapshots;

/// <summary>
/// The chunk table is created with the log's schema: by the nodes of a new cluster opening their logs on one schema at
/// once, or beforehand by <see cref="MartenRaftLog.ApplySchemaAsync"/>; without either, a log refuses to open.
/// </summary>
public sealed class MartenSnapshotTableTests(MartenTestDatabase server)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task nodes_opening_their_logs_at_once_on_a_new_schema_all_store_snapshots()
    {
        const string schema = "snapshot_table_together";
        MartenRaftLog[] logs = [.. Enumerable.Range(0, 4).Select(i => new MartenRaftLog(server.Options(schema, $"node-{i}")))];
        try
        {
            _ = await Task.WhenAll(logs.Select(log => Task.Run(() => log.RecoverAsync(Ct), Ct)));

            foreach (MartenRaftLog log in logs)
            {
                await log.SaveAsync(Batch(Install(1, SnapshotNode.Generated(3, (1L << 20) + 1, seed: 21))), Ct);
            }
        }
        finally
        {
            foreach (MartenRaftLog log in logs)
            {
                await log.DisposeAsync();
            }
        }

        (await CountAsync($"select count(*) from {schema}.nn_snapshot_chunks")).ShouldBe(8);
    }

    [Fact]
    public async Task an_applied_schema_holds_the_chunk_table_for_logs_that_create_nothing()
    {
        const string schema = "snapshot_table_applied";
        MartenRaftLogOptions options = server.Options(schema, "node-1") with { AutoCreateSchema = false };
        await MartenRaftLog.ApplySchemaAsync(options);

        await using var log = new MartenRaftLog(options);
        _ = await log.RecoverAsync(Ct);
        Snapshot snapshot = SnapshotNode.Generated(3, (1L << 20) + 1, seed: 22);
        await log.SaveAsync(Batch(Install(1, snapshot)), Ct);

        (await CountAsync($"select count(*) from {schema}.nn_snapshot_chunks")).ShouldBe(2);
    }

    [Fact]
    public async Task a_log_that_creates_nothing_refuses_to_open_without_the_chunk_table()
    {
        const string schema = "snapshot_table_missing";
        MartenRaftLogOptions options = server.Options(schema, "node-1") with { AutoCreateSchema = false };
        await MartenRaftLog.ApplySchemaAsync(options);
        await using (var connection = new NpgsqlConnection(server.ConnectionString))
        {
            await connection.OpenAsync(Ct);
            await using var drop = new NpgsqlCommand($"drop table {schema}.nn_snapshot_chunks", connection);
            _ = await drop.ExecuteNonQueryAsync(Ct);
        }

        await using var log = new MartenRaftLog(options);
        PostgresException refused = await Should.ThrowAsync<PostgresException>(() => log.RecoverAsync(Ct));

        refused.SqlState.ShouldBe(PostgresErrorCodes.UndefinedTable);
        refused.MessageText.ShouldContain($"{schema}.nn_snapshot_chunks");
    }

    private async Task<long> CountAsync(string sql)
    {
        await using var connection = new NpgsqlConnection(server.ConnectionString);
        await connection.OpenAsync(Ct);
        await using var command = new NpgsqlCommand(sql, connection);
        return (long)(await command.ExecuteScalarAsync(Ct))!;
    }
}
