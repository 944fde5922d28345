using NodeNomad.Raft;
using NodeNomad.Storage.Marten;
using static NodeNomad.Storage.Tests.LogData;

namespace NodeNomad.Storage.Tests.Marten;

/// <summary>Two processes that claim the same node identity: the one that writes second after the other is fenced off.</summary>
public sealed class MartenFencingTests(MartenTestDatabase server) : IAsyncLifetime
{
    private readonly string _nodeId = Guid.NewGuid().ToString("N");
    private readonly List<IRaftLog> _opened = [];

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public ValueTask InitializeAsync() => ValueTask.CompletedTask;

    public async ValueTask DisposeAsync()
    {
        foreach (IRaftLog log in _opened)
        {
            await log.DisposeAsync();
        }
    }

    [Fact]
    public async Task a_second_writer_that_appends_after_the_first_is_fenced_and_the_log_is_intact()
    {
        (IRaftLog first, _) = await StartAsync();
        (IRaftLog second, _) = await StartAsync();

        await first.SaveAsync(Batch(GroupWrite.Of(1, new HardState(1, 1, 0), Es(1, 2, 1))), Ct);
        LogFencedException fenced = await Should.ThrowAsync<LogFencedException>(async () =>
            await second.SaveAsync(Batch(GroupWrite.Of(1, new HardState(1, 2, 0), E(1, 1))), Ct));
        await first.SaveAsync(Batch(GroupWrite.Of(1, null, E(3, 1))), Ct);

        fenced.Message.ShouldContain(_nodeId);
        fenced.Message.ShouldContain("Another process owns node identity");
        (_, RecoveredLog recovered) = await StartAsync();
        recovered.Groups[1].HardState.ShouldBe(new HardState(1, 1, 0));
        recovered.Groups[1].Entries.ShouldBeEntries(Es(1, 3, 1));
    }

    [Fact]
    public async Task a_writer_that_starts_the_stream_after_another_did_is_fenced()
    {
        (IRaftLog first, _) = await StartAsync();
        (IRaftLog second, _) = await StartAsync();

        await second.SaveAsync(Batch(GroupWrite.Of(1, null, E(1, 2))), Ct);

        await Should.ThrowAsync<LogFencedException>(async () => await first.SaveAsync(Batch(GroupWrite.Of(1, null, E(1, 1))), Ct));
        await second.SaveAsync(Batch(GroupWrite.Of(1, null, E(2, 2))), Ct);
        (_, RecoveredLog recovered) = await StartAsync();
        recovered.Groups[1].Entries.ShouldBeEntries(Es(1, 2, 2));
    }

    [Fact]
    public async Task a_fenced_log_refuses_every_further_write()
    {
        (IRaftLog first, _) = await StartAsync();
        (IRaftLog second, _) = await StartAsync();
        await first.SaveAsync(Batch(GroupWrite.Of(1, null, E(1, 1))), Ct);
        await Should.ThrowAsync<LogFencedException>(async () => await second.SaveAsync(Batch(GroupWrite.Of(1, null, E(1, 1))), Ct));

        await Should.ThrowAsync<LogFencedException>(async () => await second.SaveAsync(Batch(GroupWrite.Of(2, null, E(1, 1))), Ct));
        await Should.ThrowAsync<LogFencedException>(async () => await second.CompactAsync(1, Snap(1, 1), Ct));

        (_, RecoveredLog recovered) = await StartAsync();
        recovered.Groups.Keys.ShouldBe([1UL]);
    }

    [Fact]
    public async Task a_writer_still_on_a_compacted_generation_is_fenced()
    {
        (IRaftLog first, _) = await StartAsync();
        await first.SaveAsync(Batch(GroupWrite.Of(1, null, Es(1, 4, 1))), Ct);
        (IRaftLog second, _) = await StartAsync();

        await first.CompactAsync(1, Snap(2, 1), Ct);

        await Should.ThrowAsync<LogFencedException>(async () => await second.SaveAsync(Batch(GroupWrite.Of(1, null, E(5, 1))), Ct));
        (_, RecoveredLog recovered) = await StartAsync();
        recovered.Groups[1].Snapshot.ShouldBeSnapshot(Snap(2, 1));
        recovered.Groups[1].Entries.ShouldBeEntries(Es(3, 4, 1));
    }

    [Fact]
    public async Task a_writer_that_compacts_after_another_appended_is_fenced()
    {
        (IRaftLog first, _) = await StartAsync();
        await first.SaveAsync(Batch(GroupWrite.Of(1, null, Es(1, 4, 1))), Ct);
        (IRaftLog second, _) = await StartAsync();

        await first.SaveAsync(Batch(GroupWrite.Of(1, null, E(5, 1))), Ct);

        await Should.ThrowAsync<LogFencedException>(async () => await second.CompactAsync(1, Snap(3, 1), Ct));
        (_, RecoveredLog recovered) = await StartAsync();
        recovered.Groups[1].Snapshot.ShouldBeNull();
        recovered.Groups[1].Entries.ShouldBeEntries(Es(1, 5, 1));
    }

    private async Task<(IRaftLog Log, RecoveredLog Recovered)> StartAsync()
    {
        var log = new MartenRaftLog(server.Store("fencing"), _nodeId);
        _opened.Add(log);
        return (log, await log.RecoverAsync(Ct));
    }
}
