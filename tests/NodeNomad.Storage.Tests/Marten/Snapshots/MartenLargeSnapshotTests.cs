using NodeNomad.Raft;
using static NodeNomad.Storage.Tests.LogData;

namespace NodeNomad.Storage.Tests.Marten.Snapshots;

/// <summary>A snapshot of tens of MiB is stored as many chunk rows and read back byte for byte, after every restart.</summary>
public sealed class MartenLargeSnapshotTests(MartenTestDatabase server) : IAsyncLifetime
{
    // 24 MiB and a part-filled last row.
    private const long Size = (24L << 20) + 12_345;

    private readonly SnapshotNode _node = new(server, "large_snapshot");

    public ValueTask InitializeAsync() => ValueTask.CompletedTask;

    public ValueTask DisposeAsync() => _node.DisposeAsync();

    [Fact]
    public async Task a_compacted_snapshot_of_many_chunks_reads_back_byte_for_byte_after_restarts()
    {
        (IRaftLog log, _) = await _node.StartAsync();
        await log.SaveAsync(Batch(GroupWrite.Of(1, new HardState(1, 1, 5), Es(1, 6, 1))), TestContext.Current.CancellationToken);
        Snapshot snapshot = SnapshotNode.Generated(5, Size, seed: 7);

        await log.CompactAsync(1, snapshot, TestContext.Current.CancellationToken);
        (log, RecoveredLog recovered) = await _node.RestartAsync(log);

        (await _node.ChunkRowsAsync(1)).ShouldBe(25);
        recovered.Groups[1].Snapshot!.Metadata.Index.ShouldBe(5UL);
        await recovered.Groups[1].Snapshot!.Data.ShouldBeSameBytesAsync(snapshot.Data);
        recovered.Groups[1].Entries.ShouldBeEntries(E(6, 1));
        (_, recovered) = await _node.RestartAsync(log);
        await recovered.Groups[1].Snapshot!.Data.ShouldBeSameBytesAsync(snapshot.Data);
    }

    [Fact]
    public async Task an_installed_snapshot_of_many_chunks_reads_back_byte_for_byte_after_a_restart()
    {
        (IRaftLog log, _) = await _node.StartAsync();
        Snapshot snapshot = SnapshotNode.Generated(40, Size, seed: 11);

        await log.SaveAsync(Batch(Install(2, snapshot, E(41, 1)), GroupWrite.Of(3, null, Es(1, 2, 1))), TestContext.Current.CancellationToken);
        (_, RecoveredLog recovered) = await _node.RestartAsync(log);

        recovered.Groups[2].Snapshot!.Metadata.Index.ShouldBe(40UL);
        await recovered.Groups[2].Snapshot!.Data.ShouldBeSameBytesAsync(snapshot.Data);
        recovered.Groups[2].Entries.ShouldBeEntries(E(41, 1));
        recovered.Groups[3].Entries.ShouldBeEntries(Es(1, 2, 1));
    }

    [Fact]
    public async Task a_recovered_snapshot_is_read_from_a_file_not_from_memory()
    {
        (IRaftLog log, _) = await _node.StartAsync();
        await log.SaveAsync(Batch(Install(1, SnapshotNode.Generated(9, 3L << 20, seed: 3))), TestContext.Current.CancellationToken);

        (_, RecoveredLog recovered) = await _node.RestartAsync(log);

        recovered.Groups[1].Snapshot!.Data.ShouldBeOfType<FileSnapshotData>().Length.ShouldBe(3L << 20);
    }
}
