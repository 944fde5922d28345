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
    public async Task saves_run_on_prepared_statements_and_the_pooled_connection_keeps_them()
    {
        DocumentStore store = server.Store("tuning");
        var nodeId = Guid.NewGuid().ToString("N");
        var log = new MartenRaftLog(store, nodeId);
        _ = await log.RecoverAsync(Ct);
        for (ulong i = 1; i <= 6; i++)
        {
            await log.SaveAsync(Batch(GroupWrite.Of(1, new HardState(1, 0, i), E(i, 1))), Ct);
        }

        // One save at a time uses one pooled connection; it comes back with the statements it prepared.
        await using NpgsqlConnection connection = store.Storage.Database.CreateConnection();
        await connection.OpenAsync(Ct);
        await using var prepared = new NpgsqlCommand("select count(*) from pg_prepared_statements where statement like '%mt_quick_append_events%'", connection);
        ((long)(await prepared.ExecuteScalarAsync(Ct))!).ShouldBeGreaterThan(0, "the append statement was prepared on the connection the saves used");

        // And what was saved on prepared statements is recovered whole.

        await log.DisposeAsync();
        await using var again = new MartenRaftLog(store, nodeId);
        RecoveredLog recovered = await again.RecoverAsync(Ct);
        recovered.Groups[1].Entries.ShouldBeEntries(Es(1, 6, 1));
        recovered.Groups[1].HardState.ShouldBe(new HardState(1, 0, 6));
    }
}
