using System.Threading.Channels;
using NodeNomad.Raft;
using NodeNomad.Storage;

namespace NodeNomad.Load;

/// <summary>
/// A log being benchmarked, with where its one group (group 1, term 1) stands, so that successive runs continue it.
/// </summary>
internal sealed class BenchLog(string backend, IRaftLog log) : IAsyncDisposable
{
    public const ulong Group = 1;
    public const ulong Term = 1;

    public string Backend { get; } = backend;

    public ulong LastIndex { get; private set; }

    /// <summary>Saves <paramref name="payloads"/> as the next entries, with the hard state a leader would write along.</summary>
    public async Task SaveAsync(IReadOnlyList<ReadOnlyMemory<byte>> payloads, CancellationToken cancellationToken)
    {
        var entries = new Entry[payloads.Count];
        for (var i = 0; i < entries.Length; i++)
        {
            entries[i] = Entry.Command(LastIndex + 1 + (ulong)i, Term, payloads[i]);
        }

        await log.SaveAsync(new LogBatch([GroupWrite.Of(Group, new HardState(Term, Vote: 1, Commit: LastIndex), entries)]), cancellationToken);
        LastIndex += (ulong)entries.Length;
    }

    /// <summary>Opens the log, which must be empty: every run starts a new one.</summary>
    public async Task RecoverAsync(CancellationToken cancellationToken)
    {
        if ((await log.RecoverAsync(cancellationToken)).Groups.Count != 0)
        {
            throw new BenchSetupException($"the {Backend} log of this run is not empty");
        }
    }

    public ValueTask DisposeAsync() => log.DisposeAsync();
}

/// <summary>
/// Group commit as the node's runtime does it: writers queue entries; one loop takes whatever is queued (at most
/// <see cref="MaxBatch"/>), saves it with one <see cref="IRaftLog.SaveAsync"/>, then completes every writer in the batch.
/// </summary>
internal sealed class GroupCommitLoop(BenchLog log)
{
    public const int MaxBatch = 10_000;

    private readonly Channel<Pending> queue = Channel.CreateUnbounded<Pending>(new UnboundedChannelOptions { SingleReader = true });

    /// <summary>Saves made.</summary>
    public long Saves { get; private set; }

    /// <summary>Entries saved.</summary>
    public long Entries { get; private set; }

    /// <summary>Queues one entry; the task completes once the batch holding it is durable.</summary>
    public Task SubmitAsync(ReadOnlyMemory<byte> payload)
    {
        var pending = new Pending(payload, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously));
        return queue.Writer.TryWrite(pending) ? pending.Done.Task : Task.FromException(new InvalidOperationException("the group-commit loop has stopped"));
    }

    /// <summary>No more entries will come: <see cref="RunAsync"/> ends once the queue is empty.</summary>
    public void Complete() => queue.Writer.TryComplete();

    public async Task RunAsync(CancellationToken cancellationToken)
    {
        var batch = new List<Pending>();
        var payloads = new List<ReadOnlyMemory<byte>>();
        try
        {
            while (await queue.Reader.WaitToReadAsync(cancellationToken))
            {
                batch.Clear();
                payloads.Clear();
                while (batch.Count < MaxBatch && queue.Reader.TryRead(out var pending))
                {
                    batch.Add(pending);
                    payloads.Add(pending.Payload);
                }

                await log.SaveAsync(payloads, cancellationToken);
                Saves++;
                Entries += batch.Count;
                foreach (var pending in batch)
                {
                    pending.Done.TrySetResult();
                }
            }
        }
        catch (Exception e)
        {
            // No writer is left waiting: the batch that failed, and everything still queued, fail with the save.
            queue.Writer.TryComplete(e);
            foreach (var pending in batch)
            {
                pending.Done.TrySetException(e);
            }

            while (queue.Reader.TryRead(out var pending))
            {
                pending.Done.TrySetException(e);
            }

            throw;
        }
    }

    private sealed record Pending(ReadOnlyMemory<byte> Payload, TaskCompletionSource Done);
}
