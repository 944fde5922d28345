using Marten;
using NodeNomad.Raft;
using NodeNomad.Storage.Marten;
using static NodeNomad.Storage.Tests.LogData;

namespace NodeNomad.Storage.Tests.Marten;

/// <summary>Compaction starts a new stream generation; recovery after it reads only that generation and the snapshots.</summary>
public sealed class MartenCompactionTests(MartenTestDatabase server) : IAsyncLifetime
{
    private readonly string _nodeId = Guid.NewGuid().ToString("N");
    private readonly List<IRaftLog> _opened = [];

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private DocumentStore Store => server.Store("compaction");

    public ValueTask InitializeAsync() => ValueTask.CompletedTask;

    public async ValueTask DisposeAsync()
    {
        foreach (IRaftLog log in _opened)
        {
            await log.DisposeAsync();
        }
    }

    [Fact]
    public async Task recovery_after_compaction_rebuilds_every_group_from_the_new_generation()
    {
        (IRaftLog log, _) = await StartAsync();
        await log.SaveAsync(Batch(
            GroupWrite.Of(1, new HardState(2, 1, 8), Es(1, 10, 2)),
            GroupWrite.Of(2, new HardState(3, 2, 4), Es(1, 5, 3)),
            Install(3, Snap(7, 1), E(8, 1))), Ct);
        await log.SaveAsync(Batch(GroupWrite.Of(2, null, E(4, 4))), Ct);

        await log.CompactAsync(1, Snap(8, 2), Ct);
        (log, RecoveredLog recovered) = await RestartAsync(log);

        recovered.Groups[1].HardState.ShouldBe(new HardState(2, 1, 8));
        recovered.Groups[1].Snapshot.ShouldBeSnapshot(Snap(8, 2));
        recovered.Groups[1].Entries.ShouldBeEntries(Es(9, 10, 2));
        recovered.Groups[2].HardState.ShouldBe(new HardState(3, 2, 4));
        recovered.Groups[2].Entries.ShouldBeEntries([.. Es(1, 3, 3), E(4, 4)]);
        recovered.Groups[3].Snapshot.ShouldBeSnapshot(Snap(7, 1));
        recovered.Groups[3].Entries.ShouldBeEntries(E(8, 1));

        await log.SaveAsync(Batch(GroupWrite.Of(1, new HardState(3, 0, 10), E(11, 3))), Ct);
        await log.CompactAsync(2, Snap(4, 4), Ct);
        (_, recovered) = await RestartAsync(log);

        recovered.Groups[1].HardState.ShouldBe(new HardState(3, 0, 10));
        recovered.Groups[1].Entries.ShouldBeEntries([.. Es(9, 10, 2), E(11, 3)]);
        recovered.Groups[2].Snapshot.ShouldBeSnapshot(Snap(4, 4));
        recovered.Groups[2].Entries.ShouldBeEmpty();
        recovered.Groups[3].Entries.ShouldBeEntries(E(8, 1));
    }

    [Fact]
    public async Task compaction_deletes_the_events_of_the_older_generation()
    {
        (IRaftLog log, _) = await StartAsync();
        await log.SaveAsync(Batch(GroupWrite.Of(1, null, Es(1, 5, 1))), Ct);
        await log.SaveAsync(Batch(GroupWrite.Of(1, null, Es(6, 9, 1))), Ct);

        await log.CompactAsync(1, Snap(9, 1), Ct);

        await using IQuerySession session = Store.QuerySession();
        (await session.Events.FetchStreamAsync($"node:{_nodeId}:g0", token: Ct)).ShouldBeEmpty();
        (await session.Events.FetchStreamAsync($"node:{_nodeId}:g1", token: Ct)).Count.ShouldBe(1);
    }

    [Fact]
    public async Task a_node_started_by_a_new_process_rebuilds_its_groups_from_the_database_alone()
    {
        await using (var log = new MartenRaftLog(server.Options("compaction", _nodeId)))
        {
            await log.RecoverAsync(Ct);
            await log.SaveAsync(Batch(GroupWrite.Of(4, new HardState(5, 5, 3), Es(1, 6, 5))), Ct);
            await log.CompactAsync(4, Snap(3, 5), Ct);
            await log.SaveAsync(Batch(GroupWrite.Of(4, null, E(7, 5))), Ct);
        }

        await using var restarted = new MartenRaftLog(server.Options("compaction", _nodeId));
        RecoveredLog recovered = await restarted.RecoverAsync(Ct);

        recovered.Groups[4].HardState.ShouldBe(new HardState(5, 5, 3));
        recovered.Groups[4].Snapshot.ShouldBeSnapshot(Snap(3, 5));
        recovered.Groups[4].Entries.ShouldBeEntries(Es(4, 7, 5));
    }

    private async Task<(IRaftLog Log, RecoveredLog Recovered)> StartAsync()
    {
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
