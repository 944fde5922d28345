using Marten;
using Npgsql;
using NodeNomad.Raft;
using NodeNomad.Storage.Marten;
using static NodeNomad.Storage.Tests.LogData;

namespace NodeNomad.Storage.Tests.Marten;

/// <summary>The log's connection settings: sessions kept between uses and repeated statements prepared, unless the operator said otherwise.</summary>
public sealed class MartenConnectionTuningTests(MartenTestDatabase server)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public void the_log_keeps_sessions_and_prepares_statements_when_the_connection_string_does_not_say()
    {
        var tuned = new NpgsqlConnectionStringBuilder(LogConnectionString.Tune("Host=127.0.0.1;Port=5432;Username=nodenomad"));

        tuned.NoResetOnClose.ShouldBeTrue();
        tuned.MaxAutoPrepare.ShouldBe(LogConnectionString.MaxAutoPrepare);
        tuned.AutoPrepareMinUsages.ShouldBe(LogConnectionString.AutoPrepareMinUsages);
        tuned.Host.ShouldBe("127.0.0.1");
        tuned.Username.ShouldBe("nodenomad");
    }

    [Theory]
    [InlineData("Host=db;No Reset On Close=false;Max Auto Prepare=0;Auto Prepare Min Usages=9")]
    [InlineData("Host=db;NoResetOnClose=false;MaxAutoPrepare=0;AutoPrepareMinUsages=9")]
    [InlineData("host=db;no reset on close=False;MAX AUTO PREPARE=0;auto prepare min usages=9")]
    public void a_setting_the_operator_named_is_kept_however_it_is_spelt(string connectionString)
    {
        var tuned = new NpgsqlConnectionStringBuilder(LogConnectionString.Tune(connectionString));

        tuned.NoResetOnClose.ShouldBeFalse();
        tuned.MaxAutoPrepare.ShouldBe(0);
        tuned.AutoPrepareMinUsages.ShouldBe(9);
    }

    [Fact]
    public void a_connection_string_that_cannot_be_parsed_is_refused_with_the_reason()
    {
        Should.Throw<ArgumentException>(() => LogConnectionString.Tune("Host=db;Port"));
        Should.Throw<ArgumentException>(() => LogConnectionString.Tune("   "));
    }

    [Fact]
    public async Task saves_through_a_session_run_on_prepared_statements_and_the_pooled_connection_keeps_them()
    {
        DocumentStore store = server.Store("tuning");
        var nodeId = Guid.NewGuid().ToString("N");
        var log = new MartenRaftLog(store, nodeId);
        _ = await log.RecoverAsync(Ct);

        // Each save installs a snapshot, so each goes through a Marten session on a pooled connection.
        for (ulong i = 1; i <= 6; i++)
        {
            await log.SaveAsync(Batch(Install(1, Snap(i * 10, 1)), GroupWrite.Of(2, new HardState(1, 0, i), E(i, 1))), Ct);
        }

        // One save at a time uses one pooled connection; it comes back with the statements it prepared.
        await using NpgsqlConnection connection = store.Storage.Database.CreateConnection();
        await connection.OpenAsync(Ct);
        await using var prepared = new NpgsqlCommand("select count(*) from pg_prepared_statements where statement like '%mt_quick_append_events%'", connection);
        ((long)(await prepared.ExecuteScalarAsync(Ct))!).ShouldBeGreaterThan(0, "the append statement was prepared on the connection the saves used");

        await log.DisposeAsync();
        await using var again = new MartenRaftLog(store, nodeId);
        RecoveredLog recovered = await again.RecoverAsync(Ct);
        recovered.Groups[2].Entries.ShouldBeEntries(Es(1, 6, 1));
        recovered.Groups[1].Snapshot.ShouldNotBeNull().Metadata.Index.ShouldBe(60UL);
    }

    [Fact]
    public async Task a_plain_save_is_one_statement_outside_any_transaction_on_a_connection_the_log_keeps()
    {
        DocumentStore store = server.Store("tuning");
        var nodeId = Guid.NewGuid().ToString("N");
        var log = new MartenRaftLog(store, nodeId);
        _ = await log.RecoverAsync(Ct);
        await using NpgsqlConnection observer = store.Storage.Database.CreateConnection();
        await observer.OpenAsync(Ct);

        // The first save starts the stream through a session; the ones after it append directly.
        var backends = new List<(int Pid, string State, bool InTransaction)>();
        for (ulong i = 1; i <= 6; i++)
        {
            await log.SaveAsync(Batch(GroupWrite.Of(1, new HardState(1, 0, i), E(i, 1))), Ct);
            if (i >= 2)
            {
                backends.AddRange(await AppendingBackendsAsync(observer, store.Options.DatabaseSchemaName));
            }
        }

        backends.Count.ShouldBe(5, "one backend ran each direct append, and stays");
        backends.Select(b => b.Pid).Distinct().Count().ShouldBe(1, "every direct append went through the same kept connection");
        backends.ShouldAllBe(b => b.State == "idle" && !b.InTransaction, "the append committed as its own statement: no transaction is left open");

        // What was appended directly is read back by Marten's own replay, whole.
        await log.DisposeAsync();
        await using var again = new MartenRaftLog(store, nodeId);
        RecoveredLog recovered = await again.RecoverAsync(Ct);
        recovered.Groups[1].Entries.ShouldBeEntries(Es(1, 6, 1));
        recovered.Groups[1].HardState.ShouldBe(new HardState(1, 0, 6));
    }

    [Fact]
    public async Task a_direct_append_whose_connection_is_killed_fails_the_log_and_recovery_finds_every_acknowledged_entry()
    {
        DocumentStore store = server.Store("tuning");
        var nodeId = Guid.NewGuid().ToString("N");
        var log = new MartenRaftLog(store, nodeId);
        _ = await log.RecoverAsync(Ct);
        for (ulong i = 1; i <= 3; i++)
        {
            await log.SaveAsync(Batch(GroupWrite.Of(1, new HardState(1, 0, i), E(i, 1))), Ct);
        }

        // The server ends the log's kept connection (a restart, an operator, a proxy would do the same).
        await using NpgsqlConnection observer = store.Storage.Database.CreateConnection();
        await observer.OpenAsync(Ct);
        var pid = (await AppendingBackendsAsync(observer, store.Options.DatabaseSchemaName)).Single().Pid;
        await using (var kill = new NpgsqlCommand("select pg_terminate_backend($1)", observer))
        {
            kill.Parameters.AddWithValue(pid);
            ((bool)(await kill.ExecuteScalarAsync(Ct))!).ShouldBeTrue();
        }

        await Should.ThrowAsync<Exception>(async () => await log.SaveAsync(Batch(GroupWrite.Of(1, new HardState(1, 0, 4), E(4, 1))), Ct));
        var refused = await Should.ThrowAsync<InvalidOperationException>(async () => await log.SaveAsync(Batch(GroupWrite.Of(1, null, E(4, 1))), Ct));
        refused.Message.ShouldContain("earlier write to the log failed");
        await log.DisposeAsync();

        // Every save that returned is there; the one that failed is either wholly there or wholly absent.
        await using var again = new MartenRaftLog(store, nodeId);
        RecoveredLog recovered = await again.RecoverAsync(Ct);
        recovered.Groups[1].Entries.Count.ShouldBeInRange(3, 4);
        recovered.Groups[1].Entries.Take(3).ToList().ShouldBeEntries(Es(1, 3, 1));
        await again.SaveAsync(Batch(GroupWrite.Of(1, new HardState(1, 0, 5), E((ulong)recovered.Groups[1].Entries.Count + 1, 1))), Ct);
    }

    /// <summary>The backends whose last statement was the log's direct append to this schema's events.</summary>
    private static async Task<List<(int Pid, string State, bool InTransaction)>> AppendingBackendsAsync(NpgsqlConnection observer, string schema)
    {
        await using var command = new NpgsqlCommand(
            "select pid, state, xact_start is not null from pg_stat_activity where pid <> pg_backend_pid() and query like $1", observer);
        command.Parameters.AddWithValue($"select {schema}.mt_quick_append_events($1, %");
        var found = new List<(int, string, bool)>();
        await using var reader = await command.ExecuteReaderAsync(Ct);
        while (await reader.ReadAsync(Ct))
        {
            found.Add((reader.GetInt32(0), reader.GetString(1), reader.GetBoolean(2)));
        }

        return found;
    }
}
