using NodeNomad.Raft;
using static NodeNomad.Storage.Tests.LogData;

namespace NodeNomad.Storage.Tests.Marten.Snapshots;

/// <summary>
/// Writing and reading a snapshot holds a few chunks at a time, never the whole snapshot: what the process allocates
/// for a 64 MiB snapshot stays a small fraction of it. Alone in its collection, so no other test's allocations count.
/// </summary>
[Collection(nameof(MartenSnapshotMemoryTests))]
public sealed class MartenSnapshotMemoryTests(MartenTestDatabase server) : IAsyncLifetime
{
    private const long Size = 64L << 20;

    // A log that held the snapshot whole would allocate at least Size; a few 1 MiB chunks and Npgsql's buffers are far less.
    private const long Bound = 8L << 20;

    private readonly SnapshotNode _node = new(server, "snapshot_memory");

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public ValueTask InitializeAsync() => ValueTask.CompletedTask;

    public ValueTask DisposeAsync() => _node.DisposeAsync();

    [Fact]
    public async Task storing_and_recovering_a_large_snapshot_allocates_a_fraction_of_it()
    {
        (IRaftLog log, _) = await _node.StartAsync();
        await log.SaveAsync(Batch(GroupWrite.Of(1, new HardState(1, 1, 3), Es(1, 3, 1))), Ct);
        Snapshot snapshot = SnapshotNode.Generated(3, Size, seed: 5);

        long before = GC.GetTotalAllocatedBytes(precise: true);
        await log.CompactAsync(1, snapshot, Ct);
        long written = GC.GetTotalAllocatedBytes(precise: true) - before;

        await log.DisposeAsync();
        before = GC.GetTotalAllocatedBytes(precise: true);
        (_, RecoveredLog recovered) = await _node.StartAsync();
        long read = GC.GetTotalAllocatedBytes(precise: true) - before;

        TestContext.Current.TestOutputHelper?.WriteLine($"A {Size >> 20} MiB snapshot: {written >> 10} KiB allocated to store it, {read >> 10} KiB to recover it.");
        written.ShouldBeLessThan(Bound, $"storing the snapshot allocated {written} bytes");
        read.ShouldBeLessThan(Bound, $"recovering the snapshot allocated {read} bytes");
        await recovered.Groups[1].Snapshot!.Data.ShouldBeSameBytesAsync(snapshot.Data);
    }
}
