using Marten;
using Npgsql;
using NodeNomad.Raft;
using NodeNomad.Storage.Marten;
using static NodeNomad.Storage.Tests.LogData;

namespace NodeNomad.Storage.Tests.Marten;

/// <summary>
/// A batch that drops a group starts the next stream generation without it and deletes its snapshot document, in one
/// transaction: the space goes at once, a failed one changes nothing, and a writer on the old generation is fenced.
/// </summary>
public sealed class MartenDroppedGroupTests(MartenTestDatabase server) : IAsyncLifetime
{
    private const string Schema = "dropped_group";

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
    public async Task dropping_a_group_deletes_its_events_and_its_snapshot_document()
    {
        (IRaftLog log, _) = await StartAsync();
        await log.SaveAsync(Batch(GroupWrite.Of(1, new HardState(1, 1, 3), Es(1, 5, 1)), GroupWrite.Of(2, null, Es(1, 2, 1))), Ct);
        await log.CompactAsync(1, Snap(3, 1), Ct);
        await log.SaveAsync(Batch(GroupWrite.Of(1, null, E(6, 1))), Ct);

        await log.SaveAsync(Drop(1), Ct);

        await using IQuerySession session = Store.QuerySession();
        (await session.Events.FetchStreamAsync($"node:{_nodeId}:g1", token: Ct)).ShouldBeEmpty();
        IReadOnlyList<JasperFx.Events.IEvent> events = await session.Events.FetchStreamAsync($"node:{_nodeId}:g2", token: Ct);
        events.ShouldHaveSingleItem().Data.ShouldBeOfType<LogGenerationStarted>().Groups.Select(g => g.GroupId).ShouldBe([2UL]);
        (await session.LoadAsync<GroupSnapshotDocument>($"{_nodeId}/1", Ct)).ShouldBeNull();

        (_, RecoveredLog recovered) = await RestartAsync(log);
        recovered.Groups.Keys.ShouldBe([2UL]);
        recovered.Groups[2].Entries.ShouldBeEntries(Es(1, 2, 1));
    }

    [Fact]
    public async Task a_drop_whose_transaction_fails_leaves_the_log_refusing_writes_and_the_group_as_it_was()
    {
        (IRaftLog log, _) = await StartAsync();
        await log.SaveAsync(Batch(GroupWrite.Of(1, new HardState(1, 1, 3), Es(1, 5, 1)), GroupWrite.Of(2, null, E(1, 1))), Ct);
        await log.CompactAsync(1, Snap(3, 1), Ct);

        await RefuseSnapshotDeletionsAsync(true);
        await Should.ThrowAsync<Exception>(async () => await log.SaveAsync(Drop(1), Ct));
        await RefuseSnapshotDeletionsAsync(false);

        await Should.ThrowAsync<InvalidOperationException>(async () => await log.SaveAsync(Batch(GroupWrite.Of(2, null, E(2, 1))), Ct));
        (log, RecoveredLog recovered) = await RestartAsync(log);

        recovered.Groups[1].HardState.ShouldBe(new HardState(1, 1, 3));
        recovered.Groups[1].Snapshot.ShouldBeSnapshot(Snap(3, 1));
        recovered.Groups[1].Entries.ShouldBeEntries(Es(4, 5, 1));
        recovered.Groups[2].Entries.ShouldBeEntries(E(1, 1));

        await log.SaveAsync(Drop(1), Ct);
        (_, recovered) = await RestartAsync(log);
        recovered.Groups.Keys.ShouldBe([2UL]);
    }

    [Fact]
    public async Task a_writer_still_on_the_generation_a_drop_replaced_is_fenced()
    {
        (IRaftLog first, _) = await StartAsync();
        await first.SaveAsync(Batch(GroupWrite.Of(1, null, Es(1, 2, 1)), GroupWrite.Of(2, null, E(1, 1))), Ct);
        (IRaftLog second, _) = await StartAsync();

        await first.SaveAsync(Drop(1), Ct);

        await Should.ThrowAsync<LogFencedException>(async () => await second.SaveAsync(Batch(GroupWrite.Of(2, null, E(2, 1))), Ct));
        await Should.ThrowAsync<LogFencedException>(async () => await second.SaveAsync(Drop(2), Ct));
        (_, RecoveredLog recovered) = await StartAsync();
        recovered.Groups.Keys.ShouldBe([2UL]);
        recovered.Groups[2].Entries.ShouldBeEntries(E(1, 1));
    }

    [Fact]
    public async Task a_writer_that_drops_after_another_appended_is_fenced()
    {
        (IRaftLog first, _) = await StartAsync();
        await first.SaveAsync(Batch(GroupWrite.Of(1, null, Es(1, 2, 1))), Ct);
        (IRaftLog second, _) = await StartAsync();

        await first.SaveAsync(Batch(GroupWrite.Of(1, null, E(3, 1))), Ct);

        await Should.ThrowAsync<LogFencedException>(async () => await second.SaveAsync(Drop(1), Ct));
        (_, RecoveredLog recovered) = await StartAsync();
        recovered.Groups[1].Entries.ShouldBeEntries(Es(1, 3, 1));
    }

    /// <summary>Makes PostgreSQL refuse, or allow again, deleting this test's node's snapshot documents.</summary>
    private async Task RefuseSnapshotDeletionsAsync(bool refuse)
    {
        string table = $"{Schema}.mt_doc_groupsnapshotdocument";
        string sql = refuse
            ? $"""
               create or replace function {Schema}.refuse_snapshot_deletion() returns trigger language plpgsql as $$
               begin
                 if old.id like '{_nodeId}/%' then raise exception 'could not delete: I/O error'; end if;
                 return old;
               end $$;
               drop trigger if exists refuse_snapshot_deletion on {table};
               create trigger refuse_snapshot_deletion before delete on {table} for each row execute function {Schema}.refuse_snapshot_deletion();
               """
            : $"drop trigger refuse_snapshot_deletion on {table};";
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
