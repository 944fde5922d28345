using System.Diagnostics;
using System.Threading.Channels;
using Microsoft.Extensions.Options;
using NodeNomad.Core.KeyValue;
using NodeNomad.Node.Configuration;
using NodeNomad.Node.Telemetry;
using NodeNomad.Raft;
using NodeNomad.Storage;

namespace NodeNomad.Node.Shards;

/// <summary>
/// The node's replica of its shard: commands go through the durable log before they touch the key-value
/// state machine. One loop owns the log: it drains every waiting proposal into one batch, makes the batch
/// durable with a single fsync (group commit), applies it, and only then answers the writers. A write is
/// therefore never acknowledged before it would survive a crash.
/// Reads see the applied state; since a write is answered only after it is applied, a read that starts after
/// an acknowledged write sees it (linearizable on one node).
/// </summary>
public sealed partial class ShardReplica : BackgroundService
{
    /// <summary>The Raft group id of the node's shard. Group 0 is kept for the cluster's meta group.</summary>
    public const ulong GroupId = 1;

    /// <summary>This node's replica id inside its groups until membership arrives with consensus.</summary>
    private const ulong LocalReplicaId = 1;

    /// <summary>The term of every entry a lone node writes; elections start counting from here.</summary>
    private const ulong LocalTerm = 1;

    private readonly IRaftLog _log;
    private readonly NodeOptions _options;
    private readonly NodeMetrics _metrics;
    private readonly TimeProvider _clock;
    private readonly ILogger<ShardReplica> _logger;
    private readonly Channel<Proposal> _proposals;
    private readonly ReaderWriterLockSlim _stateGate = new(LockRecursionPolicy.NoRecursion);
    private KvStateMachine _machine = new();
    private ulong _lastIndex;
    private ulong _snapshotIndex;
    private long _lastTimestamp;
    private volatile Exception? _failure;
    private volatile bool _recovered;

    /// <summary>Creates the replica over the node's log.</summary>
    public ShardReplica(IRaftLog log, IOptions<NodeOptions> options, NodeMetrics metrics, TimeProvider clock, ILogger<ShardReplica> logger)
    {
        ArgumentNullException.ThrowIfNull(options);
        _log = log;
        _options = options.Value;
        _metrics = metrics;
        _clock = clock;
        _logger = logger;
        _proposals = Channel.CreateBounded<Proposal>(new BoundedChannelOptions(_options.MaxBatchEntries * 8)
        {
            SingleReader = true,
            FullMode = BoundedChannelFullMode.Wait,
        });
        metrics.ObserveState(() => Read(m => (long)m.Count), () => Read(m => m.Bytes), () => _log.Statistics.Bytes);
    }

    /// <summary>Whether recovery finished and the replica serves.</summary>
    public bool Recovered => _recovered;

    /// <summary>Why the replica stopped taking writes, or null while it takes them.</summary>
    public Exception? Failure => _failure;

    /// <summary>The last index written to the log.</summary>
    public long LastIndex => (long)Volatile.Read(ref _lastIndex);

    /// <summary>The index of the latest snapshot.</summary>
    public long SnapshotIndex => (long)Volatile.Read(ref _snapshotIndex);

    /// <summary>Statistics of the node's log.</summary>
    public LogStatistics LogStatistics => _log.Statistics;

    /// <summary>
    /// Logs the command that <paramref name="build"/> makes and returns its result once it is durable and
    /// applied. <paramref name="build"/> receives the proposer's clock (Unix milliseconds) at the moment the
    /// command enters the log, so expiry times are decided there.
    /// </summary>
    public async Task<KvResult> ProposeAsync(Func<long, KvCommand> build, CancellationToken cancellationToken)
    {
        ThrowIfUnavailable();
        var proposal = new Proposal(build, cancellationToken);
        try
        {
            await _proposals.Writer.WriteAsync(proposal, cancellationToken);
        }
        catch (ChannelClosedException e)
        {
            throw new ShardUnavailableException("The node is stopping and takes no more writes.", e);
        }

        return await proposal.Done.Task;
    }

    /// <summary>Runs <paramref name="read"/> against the applied state.</summary>
    public T Read<T>(Func<KvStateMachine, T> read)
    {
        ArgumentNullException.ThrowIfNull(read);
        _stateGate.EnterReadLock();
        try
        {
            return read(_machine);
        }
        finally
        {
            _stateGate.ExitReadLock();
        }
    }

    /// <summary>Recovers the shard from the log before the node starts serving.</summary>
    public override async Task StartAsync(CancellationToken cancellationToken)
    {
        await RecoverAsync(cancellationToken);
        await base.StartAsync(cancellationToken);
    }

    /// <inheritdoc />
    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        _proposals.Writer.TryComplete();
        await base.StopAsync(cancellationToken);
    }

    /// <inheritdoc />
    public override void Dispose()
    {
        _stateGate.Dispose();
        base.Dispose();
    }

    /// <inheritdoc />
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var batch = new List<Proposal>(_options.MaxBatchEntries);
        var reader = _proposals.Reader;
        try
        {
            while (await reader.WaitToReadAsync(CancellationToken.None))
            {
                batch.Clear();
                while (batch.Count < _options.MaxBatchEntries && reader.TryRead(out var proposal))
                {
                    if (proposal.Cancellation.IsCancellationRequested)
                    {
                        // Not logged yet, so dropping it is safe: the caller has gone and nothing happened.
                        proposal.Done.TrySetCanceled(proposal.Cancellation);
                        continue;
                    }

                    batch.Add(proposal);
                }

                if (batch.Count > 0)
                {
                    await CommitAsync(batch);
                }
            }
        }
        finally
        {
            FailPending(new ShardUnavailableException("The node is stopping and takes no more writes."));
        }
    }

    private async Task CommitAsync(List<Proposal> batch)
    {
        if (_failure is { } failure)
        {
            foreach (var proposal in batch)
            {
                proposal.Done.TrySetException(new ShardUnavailableException("The node's log failed; the node must be restarted.", failure));
            }

            return;
        }

        // Timestamps never go backwards in the log, even if the wall clock does.
        var now = Math.Max(_clock.GetUtcNow().ToUnixTimeMilliseconds(), _lastTimestamp);
        _lastTimestamp = now;
        var commands = new KvCommand[batch.Count];
        var entries = new Entry[batch.Count];
        var first = _lastIndex + 1;
        for (var i = 0; i < batch.Count; i++)
        {
            commands[i] = batch[i].Build(now);
            entries[i] = Entry.Command(first + (ulong)i, LocalTerm, KvCommandCodec.Encode(commands[i]));
        }

        var last = first + (ulong)batch.Count - 1;
        var started = Stopwatch.GetTimestamp();
        try
        {
            await _log.SaveAsync(new LogBatch([GroupWrite.Of(GroupId, new HardState(LocalTerm, LocalReplicaId, last), entries)]));
        }
#pragma warning disable CA1031 // Any failure to make the batch durable stops writes; the cause is kept and reported.
        catch (Exception e)
#pragma warning restore CA1031
        {
            // Whether the batch reached the disk is unknown, so nothing after it may be logged or applied
            // until a restart has recovered the log and settled the question.
            _failure = e;
            LogSaveFailed(_logger, e, batch.Count);
            foreach (var proposal in batch)
            {
                proposal.Done.TrySetException(new ShardUnavailableException("The node's log failed to make the write durable; the write may or may not have happened.", e));
            }

            return;
        }

        _metrics.Synced(batch.Count, Stopwatch.GetElapsedTime(started).TotalMilliseconds);
        Volatile.Write(ref _lastIndex, last);

        var results = new KvResult[batch.Count];
        _stateGate.EnterWriteLock();
        try
        {
            for (var i = 0; i < batch.Count; i++)
            {
                results[i] = _machine.Apply((long)(first + (ulong)i), commands[i]);
            }
        }
        finally
        {
            _stateGate.ExitWriteLock();
        }

        for (var i = 0; i < batch.Count; i++)
        {
            batch[i].Done.TrySetResult(results[i]);
        }

        await MaybeSnapshotAsync();
    }

    private async Task MaybeSnapshotAsync()
    {
        if (_lastIndex - _snapshotIndex < (ulong)_options.SnapshotEntries)
        {
            return;
        }

        // Only this loop changes the state machine, so it can be read here without the lock.
        var snapshot = new Snapshot(new SnapshotMetadata(_lastIndex, LocalTerm, ConfState.OfVoters(LocalReplicaId)), _machine.Serialize());
        try
        {
            await _log.CompactAsync(GroupId, snapshot);
        }
#pragma warning disable CA1031 // A failed snapshot loses nothing: the log still holds every entry. Try again later.
        catch (Exception e)
#pragma warning restore CA1031
        {
            LogSnapshotFailed(_logger, e, _lastIndex);
            _snapshotIndex = _lastIndex;
            return;
        }

        Volatile.Write(ref _snapshotIndex, _lastIndex);
        _metrics.SnapshotTaken();
        LogSnapshotTaken(_logger, _lastIndex, snapshot.Data.Length);
    }

    private async Task RecoverAsync(CancellationToken cancellationToken)
    {
        var started = Stopwatch.GetTimestamp();
        var recovered = await _log.RecoverAsync(cancellationToken);
        if (recovered.TruncatedTailBytes > 0)
        {
            LogTornTail(_logger, recovered.TruncatedTailBytes);
        }

        if (recovered.Groups.TryGetValue(GroupId, out var group))
        {
            var machine = group.Snapshot is { } snapshot ? RestoreSnapshot(snapshot) : new KvStateMachine();
            foreach (var entry in group.Entries)
            {
                if (entry.Type != EntryType.Normal || entry.Data.IsEmpty)
                {
                    continue;
                }

                KvCommand command;
                try
                {
                    command = KvCommandCodec.Decode(entry.Data.Span);
                }
                catch (FormatException e)
                {
                    throw new LogCorruptedException($"Entry {entry.Index} of shard group {GroupId} passed its checksum but is not a key-value command; refusing to start.", e);
                }

                machine.Apply((long)entry.Index, command);
                _lastTimestamp = Math.Max(_lastTimestamp, command.Timestamp);
            }

            _machine = machine;
            _lastIndex = group.LastIndex;
            _snapshotIndex = group.Snapshot?.Metadata.Index ?? 0;
        }

        _recovered = true;
        var elapsed = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
        LogRecovered(_logger, _lastIndex, _snapshotIndex, _machine.Count, elapsed);
    }

    private static KvStateMachine RestoreSnapshot(Snapshot snapshot)
    {
        try
        {
            return KvStateMachine.Restore(snapshot.Data.Span);
        }
        catch (FormatException e)
        {
            throw new LogCorruptedException($"The snapshot at index {snapshot.Metadata.Index} of shard group {GroupId} passed its checksum but does not restore; refusing to start.", e);
        }
    }

    private void ThrowIfUnavailable()
    {
        if (_failure is { } failure)
        {
            throw new ShardUnavailableException("The node's log failed; the node must be restarted before it takes writes again.", failure);
        }

        if (!_recovered)
        {
            throw new ShardUnavailableException("The node is still recovering its log.");
        }
    }

    private void FailPending(Exception reason)
    {
        while (_proposals.Reader.TryRead(out var proposal))
        {
            proposal.Done.TrySetException(reason);
        }
    }

    [LoggerMessage(EventId = 100, Level = LogLevel.Information, Message = "Recovered the shard: last index {LastIndex}, snapshot index {SnapshotIndex}, {Keys} keys, in {Milliseconds:F1} ms")]
    private static partial void LogRecovered(ILogger logger, ulong lastIndex, ulong snapshotIndex, int keys, double milliseconds);

    [LoggerMessage(EventId = 101, Level = LogLevel.Warning, Message = "Cut a torn tail of {Bytes} bytes from the log (a batch that was never acknowledged)")]
    private static partial void LogTornTail(ILogger logger, long bytes);

    [LoggerMessage(EventId = 102, Level = LogLevel.Critical, Message = "The log failed to make a batch of {Count} writes durable; the node takes no more writes until it is restarted")]
    private static partial void LogSaveFailed(ILogger logger, Exception exception, int count);

    [LoggerMessage(EventId = 103, Level = LogLevel.Information, Message = "Snapshot at index {Index} ({Bytes} bytes); the log before it was dropped")]
    private static partial void LogSnapshotTaken(ILogger logger, ulong index, int bytes);

    [LoggerMessage(EventId = 104, Level = LogLevel.Error, Message = "Snapshot at index {Index} failed; the log keeps every entry and the next threshold tries again")]
    private static partial void LogSnapshotFailed(ILogger logger, Exception exception, ulong index);

    private sealed class Proposal(Func<long, KvCommand> build, CancellationToken cancellation)
    {
        public Func<long, KvCommand> Build { get; } = build;

        public CancellationToken Cancellation { get; } = cancellation;

        public TaskCompletionSource<KvResult> Done { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }
}
