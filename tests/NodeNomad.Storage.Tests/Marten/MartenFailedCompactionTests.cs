using Marten;
using Npgsql;
using NodeNomad.Raft;
using NodeNomad.Storage.Marten;
using static NodeNomad.Storage.Tests.LogData;

namespace NodeNomad.Storage.Tests.Marten;

/// <summary>
/// A compaction whose transaction PostgreSQL refuses loses nothing: the node logs it and goes on, so the log keeps
/// taking writes, a later compaction succeeds, and recovery finds every acknowledged entry.
/// </summary>
public sealed class MartenFailedCompactionTests(MartenTestDatabase server) : IAsyncLifetime
{
    private const string Schema = "failed_compaction";

    private readonly string _nodeId = Guid.NewGuid().ToString("N");
    private readonly List<IRaftLog> _opened = [];

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private DocumentStore Store => server.Store(Schema);

    public ValueTask InitializeAsync() => ValueTask.CompletedTask;

    public async ValueTask DisposeAsync()
    {
        foreach (IRaftLog log in _opened)
        {
            await log.DisposeAsync();
        }
    }

    [Fact]
    public async Task a_compaction_whose_transaction_fails_leaves_the_log_writable_and_every_entry_recoverable()
    {
        (IRaftLog log, _) = await StartAsync();
        await log.SaveAsync(Batch(GroupWrite.Of(1, new HardState(1, 1, 10), Es(1, 10, 1))), Ct);

        await RefuseSnapshotsAsync(true);
        await Should.ThrowAsync<Exception>(async () => await log.CompactAsync(1, Snap(8, 1), Ct));
        await RefuseSnapshotsAsync(false);

        await log.SaveAsync(Batch(GroupWrite.Of(1, new HardState(1, 1, 12), Es(11, 12, 1))), Ct);
        (log, RecoveredLog recovered) = await RestartAsync(log);

        recovered.Groups[1].Snapshot.ShouldBeNull();
        recovered.Groups[1].HardState.ShouldBe(new HardState(1, 1, 12));
        recovered.Groups[1].Entries.ShouldBeEntries(Es(1, 12, 1));

        await log.CompactAsync(1, Snap(8, 1), Ct);
        await log.SaveAsync(Batch(GroupWrite.Of(1, new HardState(1, 1, 13), E(13, 1))), Ct);
        (_, recovered) = await RestartAsync(log);

        recovered.Groups[1].Snapshot.ShouldBeSnapshot(Snap(8, 1));
        recovered.Groups[1].HardState.ShouldBe(new HardState(1, 1, 13));
        recovered.Groups[1].Entries.ShouldBeEntries(Es(9, 13, 1));
    }

    /// <summary>
    /// Makes PostgreSQL refuse, or accept again, every snapshot document of this test's node, as a full disk would:
    /// the transaction that stores it fails and is rolled back.
    /// </summary>
    private async Task RefuseSnapshotsAsync(bool refuse)
    {
        string table = $"{Schema}.mt_doc_groupsnapshotdocument";
        string sql = refuse
            ? $"""
               create or replace function {Schema}.refuse_snapshot() returns trigger language plpgsql as $$
               begin
                 if new.id like '{_nodeId}/%' then raise exception 'could not extend file: No space left on device'; end if;
                 return new;
               end $$;
               drop trigger if exists refuse_snapshot on {table};
               create trigger refuse_snapshot before insert or update on {table} for each row execute function {Schema}.refuse_snapshot();
               """
            : $"drop trigger refuse_snapshot on {table};";
        await using var connection = new NpgsqlConnection(server.ConnectionString);
        await connection.OpenAsync(Ct);
        await using var command = new NpgsqlCommand(sql, connection);
        _ = await command.ExecuteNonQueryAsync(Ct);
    }

    private async Task<(IRaftLog Log, RecoveredLog Recovered)> StartAsync()
    {
        await Store.Storage.ApplyAllConfiguredChangesToDatabaseAsync();
        var log = new MartenRaftLog(Store, _nodeId);
        _opened.Add(log);
        return (log, await log.RecoverAsync(Ct));
    }

    private async Task<(IRaftLog Log, RecoveredLog Recovered)> RestartAsync(IRaftLog log)
    {
        await log.DisposeAsync();
        return await StartAsync();
    }
}
