using System.Diagnostics;
using System.Threading.Channels;
using Microsoft.Extensions.Options;
using NodeNomad.Core.Cluster;
using NodeNomad.Core.KeyValue;
using NodeNomad.Node.Configuration;
using NodeNomad.Node.Telemetry;
using NodeNomad.Raft;
using NodeNomad.Storage;

namespace NodeNomad.Node.Shards;

/// <summary>
/// The node's replica of its shard: a Raft group member whose state machine is the key-value store.
/// One loop owns the <see cref="RaftNode"/>, the log and the state machine. Each turn it takes every waiting
/// input (ticks, peer messages, proposals, reads), then does what the replica's Ready asks, in the order
/// Raft requires: persist (one fsync for everything the turn appended: group commit), then send, then
/// apply and answer. A write is answered only once it is committed by a majority and applied; a
/// linearizable read is served only after a ReadIndex round confirmed the leader and the state machine
/// caught up to that index.
/// </summary>
public sealed partial class ShardReplica : BackgroundService
{
    /// <summary>The Raft group id of the node's shard. Group 0 is kept for the cluster's meta group.</summary>
    public const ulong GroupId = 1;

    private readonly IRaftLog _log;
    private readonly NodeOptions _options;
    private readonly ClusterTopology _topology;
    private readonly IPeerSender _peers;
    private readonly NodeMetrics _metrics;
    private readonly TimeProvider _clock;
    private readonly ILogger<ShardReplica> _logger;
    private readonly Channel<Input> _inputs = Channel.CreateUnbounded<Input>(new UnboundedChannelOptions { SingleReader = true });
    private readonly ReaderWriterLockSlim _stateGate = new(LockRecursionPolicy.NoRecursion);
    private readonly Dictionary<ulong, PendingProposal> _proposals = [];
    private readonly Dictionary<long, TaskCompletionSource<bool>> _reads = [];
    private readonly List<(ulong Index, TaskCompletionSource<bool> Done)> _readsAwaitingApply = [];
    private RaftNode _raft = null!;
    private KvStateMachine _machine = new();
    private ulong _applied;
    private HardState? _deferredHardState;
    private ulong _appliedTerm;
    private ulong _snapshotIndex;
    private long _lastTimestamp;
    private long _nextReadId;
    private volatile ReplicaStatus _status = ReplicaStatus.Starting;
    private TaskCompletionSource _statusChanged = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private volatile Exception? _failure;
    private volatile bool _recovered;

    /// <summary>Creates the replica over the node's log.</summary>
    public ShardReplica(
        IRaftLog log,
        IOptions<NodeOptions> options,
        ClusterTopology topology,
        IPeerSender peers,
        NodeMetrics metrics,
        TimeProvider clock,
        ILogger<ShardReplica> logger)
    {
        ArgumentNullException.ThrowIfNull(options);
        _log = log;
        _options = options.Value;
        _topology = topology;
        _peers = peers;
        _metrics = metrics;
        _clock = clock;
        _logger = logger;
        metrics.ObserveState(() => Read(m => (long)m.Count), () => Read(m => m.Bytes), () => _log.Statistics.Bytes);
    }

    /// <summary>Whether recovery finished.</summary>
    public bool Recovered => _recovered;

    /// <summary>Why the replica stopped, or null while it runs.</summary>
    public Exception? Failure => _failure;

    /// <summary>The replica's Raft state as of its loop's last turn.</summary>
    public ReplicaStatus Status => _status;

    /// <summary>The member that leads the group, or null while none is known.</summary>
    public ClusterMember? Leader => _status.LeaderId is { } id ? _topology.Members.FirstOrDefault(m => m.NodeId == id) : null;

    /// <summary>Whether this replica leads its group.</summary>
    public bool IsLeader => _status.Role == RaftRole.Leader;

    /// <summary>The index of the latest snapshot.</summary>
    public long SnapshotIndex => (long)Volatile.Read(ref _snapshotIndex);

    /// <summary>Statistics of the node's log.</summary>
    public LogStatistics LogStatistics => _log.Statistics;

    /// <summary>
    /// Proposes the command <paramref name="build"/> makes and returns its result once it is committed and
    /// applied. <paramref name="build"/> receives the leader's clock (Unix milliseconds) when the command enters
    /// the log, so expiry times are decided there. Throws <see cref="NotLeaderException"/> on a replica that
    /// does not lead, and <see cref="ShardUnavailableException"/> when the write could not be committed in time
    /// (its outcome is then unknown).
    /// </summary>
    public async Task<KvResult> ProposeAsync(Func<long, KvCommand> build, CancellationToken cancellationToken)
    {
        ThrowIfUnavailable();
        await WaitForLeaderAsync(cancellationToken);
        if (!IsLeader)
        {
            throw new NotLeaderException(Leader);
        }

        var proposal = new ProposalInput(build);
        _inputs.Writer.TryWrite(proposal);
        return await WaitAsync(proposal.Done.Task, "The write was not committed in time: no quorum answered. It may still take effect.", cancellationToken);
    }

    /// <summary>
    /// Runs <paramref name="read"/> against the applied state: at once for a stale read, or, for a
    /// linearizable one, once a ReadIndex round has confirmed the leader and this replica has applied up to the
    /// confirmed index.
    /// </summary>
    public async Task<T> ReadAsync<T>(Func<KvStateMachine, T> read, bool linearizable, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(read);
        ThrowIfUnavailable();
        if (linearizable)
        {
            await WaitForLeaderAsync(cancellationToken);

            var input = new ReadInput();
            _inputs.Writer.TryWrite(input);
            await WaitAsync(input.Done.Task, "The read could not be confirmed by a quorum in time.", cancellationToken);
        }

        return Read(read);
    }

    /// <summary>Runs <paramref name="read"/> against the applied state as it is now.</summary>
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

    /// <summary>Hands the loop a message from a peer. Never blocks.</summary>
    public void Deliver(Message message) => _inputs.Writer.TryWrite(new MessageInput(message));

    /// <summary>The transport could not deliver to <paramref name="replicaId"/>.</summary>
    public void ReportUnreachable(ulong replicaId) => _inputs.Writer.TryWrite(new UnreachableInput(replicaId));

    /// <summary>A snapshot sent to <paramref name="replicaId"/> arrived or failed.</summary>
    public void ReportSnapshot(ulong replicaId, bool succeeded) => _inputs.Writer.TryWrite(new SnapshotStatusInput(replicaId, succeeded));

    /// <summary>Recovers from the log and, on a cluster of one, elects itself before the node serves.</summary>
    public override async Task StartAsync(CancellationToken cancellationToken)
    {
        await RecoverAsync(cancellationToken);
        await base.StartAsync(cancellationToken);
    }

    /// <inheritdoc />
    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        _inputs.Writer.TryComplete();
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
        using var ticker = new PeriodicTimer(TimeSpan.FromMilliseconds(_options.HeartbeatIntervalMs), _clock);
        var ticks = TickAsync(ticker, stoppingToken);
        var reader = _inputs.Reader;
        try
        {
            while (_failure is null && await reader.WaitToReadAsync(CancellationToken.None))
            {
                var taken = 0;
                while (taken < _options.MaxBatchEntries && reader.TryRead(out var input))
                {
                    Handle(input);
                    taken++;
                }

                await HandleReadyAsync();
            }
        }
        finally
        {
            FailPending(_failure is { } failure
                ? new ShardUnavailableException("The node's log failed; the node must be restarted.", failure)
                : new ShardUnavailableException("The node is stopping."));
            await ticks;
        }
    }

    private async Task TickAsync(PeriodicTimer ticker, CancellationToken stoppingToken)
    {
        try
        {
            while (await ticker.WaitForNextTickAsync(stoppingToken))
            {
                _inputs.Writer.TryWrite(TickInput.Instance);
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    private void Handle(Input input)
    {
        switch (input)
        {
            case TickInput:
                _raft.Tick();
                break;
            case MessageInput received:
                LogReceived(_logger, received.Message.Type, received.Message.From, received.Message.Term);
                _raft.Step(received.Message);
                break;
            case ProposalInput proposal:
                Propose(proposal);
                break;
            case ReadInput read:
                var id = ++_nextReadId;
                _reads[id] = read.Done;
                _raft.ReadIndex(ReadContext(id));
                break;
            case UnreachableInput unreachable:
                _raft.ReportUnreachable(unreachable.ReplicaId);
                break;
            case SnapshotStatusInput snapshot:
                _raft.ReportSnapshot(snapshot.ReplicaId, snapshot.Succeeded);
                break;
        }
    }

    private void Propose(ProposalInput proposal)
    {
        // Timestamps never go backwards in the log, even if the wall clock does.
        var now = Math.Max(_clock.GetUtcNow().ToUnixTimeMilliseconds(), _lastTimestamp);
        _lastTimestamp = now;
        var command = proposal.Build(now);
        var taken = _raft.Propose(KvCommandCodec.Encode(command));
        if (!taken.Accepted)
        {
            proposal.Done.TrySetException(new NotLeaderException(Leader));
            return;
        }

        _proposals[taken.Index] = new PendingProposal(taken.Term, proposal.Done, Stopwatch.GetTimestamp());
    }

    private async Task HandleReadyAsync()
    {
        while (_raft.HasReady())
        {
            var ready = _raft.Ready();
            if (!await PersistAsync(ready))
            {
                return;
            }

            foreach (var message in ready.Messages)
            {
                LogSending(_logger, message.Type, message.To, message.Term);
                _peers.Send(GroupId, message);
            }

            if (ready.Snapshot is { } snapshot)
            {
                InstallSnapshot(snapshot);
            }

            Apply(ready.CommittedEntries);
            foreach (var state in ready.ReadStates)
            {
                if (state.Context.Length == 2 * sizeof(long)
                    && BitConverter.ToUInt64(state.Context.Span) == _topology.Self.ReplicaId
                    && _reads.Remove(BitConverter.ToInt64(state.Context.Span[sizeof(long)..]), out var done))
                {
                    _readsAwaitingApply.Add((state.Index, done));
                }
            }

            _raft.Advance(ready);
            AnswerReads();
            PublishStatus();
            await MaybeSnapshotAsync();
        }

        PublishStatus();
    }

    /// <summary>A read's context: unique across the group (the leader answers duplicate contexts once), so it names this replica.</summary>
    private byte[] ReadContext(long id)
    {
        var context = new byte[2 * sizeof(long)];
        BitConverter.TryWriteBytes(context, _topology.Self.ReplicaId);
        BitConverter.TryWriteBytes(context.AsSpan(sizeof(long)), id);
        return context;
    }

    private async Task<bool> PersistAsync(Ready ready)
    {
        if (ready.Entries.Count == 0 && ready.Snapshot is null && (ready.HardState is null || !ready.MustSync))
        {
            // Only the commit index moved: Raft needs no fsync for that (a restarted replica learns its commit
            // again from the leader), so it rides along with the next write instead of costing one of its own.
            _deferredHardState = ready.HardState ?? _deferredHardState;
            return true;
        }

        var started = Stopwatch.GetTimestamp();
        try
        {
            await _log.SaveAsync(new LogBatch([new GroupWrite(GroupId, ready.HardState ?? _deferredHardState, ready.Snapshot, ready.Entries)]));
            _deferredHardState = null;
        }
#pragma warning disable CA1031 // Any failure to make the batch durable stops the replica; the cause is kept and reported.
        catch (Exception e)
#pragma warning restore CA1031
        {
            // Whether the batch reached the disk is unknown, and Raft must never send what it may have forgotten:
            // the replica stops here and a restart recovers the log and settles the question.
            _failure = e;
            LogSaveFailed(_logger, e, ready.Entries.Count);
            return false;
        }

        if (ready.Entries.Count > 0)
        {
            _metrics.Synced(ready.Entries.Count, Stopwatch.GetElapsedTime(started).TotalMilliseconds);
        }

        return true;
    }

    private void InstallSnapshot(Snapshot snapshot)
    {
        var machine = RestoreSnapshot(snapshot);
        _stateGate.EnterWriteLock();
        try
        {
            _machine = machine;
        }
        finally
        {
            _stateGate.ExitWriteLock();
        }

        _applied = snapshot.Metadata.Index;
        _appliedTerm = snapshot.Metadata.Term;
        Volatile.Write(ref _snapshotIndex, snapshot.Metadata.Index);
        LogSnapshotInstalled(_logger, snapshot.Metadata.Index, snapshot.Data.Length);
    }

    private void Apply(IReadOnlyList<Entry> entries)
    {
        if (entries.Count == 0)
        {
            return;
        }

        var answers = new List<(PendingProposal Proposal, KvResult Result, bool Committed)>();
        _stateGate.EnterWriteLock();
        try
        {
            foreach (var entry in entries)
            {
                if (entry.Index <= _applied)
                {
                    continue;
                }

                KvResult? result = null;
                if (entry.Type == EntryType.ConfChange)
                {
                    _raft.ApplyConfChange(ConfChange.Decode(entry.Data.Span));
                }
                else if (!entry.Data.IsEmpty)
                {
                    var command = Decode(entry);
                    result = _machine.Apply((long)entry.Index, command);
                    _lastTimestamp = Math.Max(_lastTimestamp, command.Timestamp);
                }

                _applied = entry.Index;
                _appliedTerm = entry.Term;
                if (_proposals.Remove(entry.Index, out var proposal))
                {
                    // The proposal committed only if the entry at its index is the one it was given: same term.
                    answers.Add((proposal, result ?? default, proposal.Term == entry.Term && result is not null));
                }
            }
        }
        finally
        {
            _stateGate.ExitWriteLock();
        }

        foreach (var (proposal, result, committed) in answers)
        {
            if (committed)
            {
                proposal.Done.TrySetResult(result);
            }
            else
            {
                proposal.Done.TrySetException(new ShardUnavailableException("Leadership changed before the write committed; it did not take effect. Retry it."));
            }
        }
    }

    private void AnswerReads()
    {
        for (var i = _readsAwaitingApply.Count - 1; i >= 0; i--)
        {
            if (_readsAwaitingApply[i].Index <= _applied)
            {
                _readsAwaitingApply[i].Done.TrySetResult(true);
                _readsAwaitingApply.RemoveAt(i);
            }
        }
    }

    private void PublishStatus()
    {
        var status = _raft.Status;
        var leader = status.SoftState.Leader == 0 ? null : _topology.Find(status.SoftState.Leader)?.NodeId;
        var voters = status.ConfState.Voters.Select(v => _topology.Find(v)?.NodeId ?? v.ToString(System.Globalization.CultureInfo.InvariantCulture)).ToList();
        var previous = _status;
        _status = new ReplicaStatus(status.SoftState.Role, status.HardState.Term, leader, status.HardState.Commit, _applied, status.LastIndex, voters);
        if (previous.LeaderId != leader || previous.Term != status.HardState.Term || previous.Role != status.SoftState.Role)
        {
            LogLeaderChanged(_logger, leader ?? "(none)", status.HardState.Term, _status.RoleName);
            if (previous.Term != status.HardState.Term)
            {
                // A read not yet confirmed when the term moved will never be: its request died with the old leader.
                foreach (var read in _reads.Values)
                {
                    read.TrySetException(new ShardUnavailableException("Leadership changed before the read was confirmed; retry it."));
                }

                _reads.Clear();
            }

            Interlocked.Exchange(ref _statusChanged, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).TrySetResult();
        }
    }

    private async Task MaybeSnapshotAsync()
    {
        if (_applied - _snapshotIndex < (ulong)_options.SnapshotEntries)
        {
            return;
        }

        // Only this loop changes the state machine, so it can be read here without the lock.
        var snapshot = new Snapshot(new SnapshotMetadata(_applied, _appliedTerm, _raft.Status.ConfState), _machine.Serialize());
        try
        {
            await _log.CompactAsync(GroupId, snapshot);
        }
#pragma warning disable CA1031 // A failed snapshot loses nothing: the log still holds every entry. Try again later.
        catch (Exception e)
#pragma warning restore CA1031
        {
            LogSnapshotFailed(_logger, e, _applied);
            _snapshotIndex = _applied;
            return;
        }

        _raft.Compact(snapshot);
        Volatile.Write(ref _snapshotIndex, _applied);
        _metrics.SnapshotTaken();
        LogSnapshotTaken(_logger, _applied, snapshot.Data.Length);
    }

    private async Task RecoverAsync(CancellationToken cancellationToken)
    {
        var started = Stopwatch.GetTimestamp();
        var recovered = await _log.RecoverAsync(cancellationToken);
        if (recovered.TruncatedTailBytes > 0)
        {
            LogTornTail(_logger, recovered.TruncatedTailBytes);
        }

        var group = recovered.Groups.GetValueOrDefault(GroupId);
        if (group?.Snapshot is { } snapshot)
        {
            _machine = RestoreSnapshot(snapshot);
            _applied = snapshot.Metadata.Index;
            _appliedTerm = snapshot.Metadata.Term;
            _snapshotIndex = snapshot.Metadata.Index;
        }

        var voters = _topology.Members.Select(m => m.ReplicaId).Order().ToArray();
        var bootstrap = new RaftBootstrap(group?.HardState ?? HardState.Empty, group?.Snapshot, group?.Entries ?? [], ConfState.OfVoters(voters));
        var config = new RaftConfig
        {
            Id = _topology.Self.ReplicaId,
            ElectionTick = Math.Max(3, _options.ElectionTimeoutMs / _options.HeartbeatIntervalMs),
            HeartbeatTick = 1,
            Applied = _applied,
            Random = new Random(unchecked((int)(_topology.Self.ReplicaId ^ (ulong)Environment.TickCount64))),
        };
        _raft = new RaftNode(config, bootstrap);

        // Re-apply what is committed (a new group's first membership included) before campaigning: a replica with
        // a committed membership change it has not applied does not campaign.
        await HandleReadyAsync();
        if (voters.Length == 1)
        {
            // A cluster of one need not wait out an election timeout.
            _raft.Campaign();
            await HandleReadyAsync();
        }

        _recovered = true;
        var elapsed = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
        LogRecovered(_logger, _status.LastIndex, _snapshotIndex, _machine.Count, elapsed);
    }

    private static KvCommand Decode(Entry entry)
    {
        try
        {
            return KvCommandCodec.Decode(entry.Data.Span);
        }
        catch (FormatException e)
        {
            throw new LogCorruptedException($"Entry {entry.Index} of shard group {GroupId} passed its checksum but is not a key-value command.", e);
        }
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

    /// <summary>Waits, up to the request timeout, until some replica is known to lead.</summary>
    private async Task WaitForLeaderAsync(CancellationToken cancellationToken)
    {
        var deadline = _clock.GetUtcNow().AddMilliseconds(_options.RequestTimeoutMs);
        while (_status.LeaderId is null)
        {
            var changed = _statusChanged.Task;
            if (_status.LeaderId is not null)
            {
                return;
            }

            var left = deadline - _clock.GetUtcNow();
            if (left <= TimeSpan.Zero || _failure is not null)
            {
                throw new ShardUnavailableException("No leader is known: an election is in progress, or this node cannot reach a quorum.");
            }

            try
            {
                await changed.WaitAsync(left, _clock, cancellationToken);
            }
            catch (TimeoutException)
            {
            }
        }
    }

    private async Task<T> WaitAsync<T>(Task<T> task, string timeoutReason, CancellationToken cancellationToken)
    {
        try
        {
            return await task.WaitAsync(TimeSpan.FromMilliseconds(_options.RequestTimeoutMs), _clock, cancellationToken);
        }
        catch (TimeoutException e)
        {
            throw new ShardUnavailableException(timeoutReason, e);
        }
    }

    private void ThrowIfUnavailable()
    {
        if (_failure is { } failure)
        {
            throw new ShardUnavailableException("The node's log failed; the node must be restarted before it serves again.", failure);
        }

        if (!_recovered)
        {
            throw new ShardUnavailableException("The node is still recovering its log.");
        }
    }

    private void FailPending(Exception reason)
    {
        foreach (var proposal in _proposals.Values)
        {
            proposal.Done.TrySetException(reason);
        }

        _proposals.Clear();
        foreach (var read in _reads.Values.Concat(_readsAwaitingApply.Select(r => r.Done)))
        {
            read.TrySetException(reason);
        }

        _reads.Clear();
        _readsAwaitingApply.Clear();
        while (_inputs.Reader.TryRead(out var input))
        {
            switch (input)
            {
                case ProposalInput proposal:
                    proposal.Done.TrySetException(reason);
                    break;
                case ReadInput read:
                    read.Done.TrySetException(reason);
                    break;
            }
        }
    }

    [LoggerMessage(EventId = 100, Level = LogLevel.Information, Message = "Recovered the shard: last index {LastIndex}, snapshot index {SnapshotIndex}, {Keys} keys, in {Milliseconds:F1} ms")]
    private static partial void LogRecovered(ILogger logger, ulong lastIndex, ulong snapshotIndex, int keys, double milliseconds);

    [LoggerMessage(EventId = 101, Level = LogLevel.Warning, Message = "Cut a torn tail of {Bytes} bytes from the log (a batch that was never acknowledged)")]
    private static partial void LogTornTail(ILogger logger, long bytes);

    [LoggerMessage(EventId = 102, Level = LogLevel.Critical, Message = "The log failed to make a batch of {Count} entries durable; the replica stops until the node is restarted")]
    private static partial void LogSaveFailed(ILogger logger, Exception exception, int count);

    [LoggerMessage(EventId = 103, Level = LogLevel.Information, Message = "Snapshot at index {Index} ({Bytes} bytes); the log before it was dropped")]
    private static partial void LogSnapshotTaken(ILogger logger, ulong index, int bytes);

    [LoggerMessage(EventId = 104, Level = LogLevel.Error, Message = "Snapshot at index {Index} failed; the log keeps every entry and the next threshold tries again")]
    private static partial void LogSnapshotFailed(ILogger logger, Exception exception, ulong index);

    [LoggerMessage(EventId = 105, Level = LogLevel.Information, Message = "Installed a snapshot from the leader at index {Index} ({Bytes} bytes)")]
    private static partial void LogSnapshotInstalled(ILogger logger, ulong index, int bytes);

    [LoggerMessage(EventId = 106, Level = LogLevel.Information, Message = "Leader is {Leader} in term {Term}; this replica is {Role}")]
    private static partial void LogLeaderChanged(ILogger logger, string leader, ulong term, string role);

    [LoggerMessage(EventId = 107, Level = LogLevel.Trace, Message = "Received {Type} from {From} in term {Term}")]
    private static partial void LogReceived(ILogger logger, MessageType type, ulong from, ulong term);

    [LoggerMessage(EventId = 108, Level = LogLevel.Trace, Message = "Sending {Type} to {To} in term {Term}")]
    private static partial void LogSending(ILogger logger, MessageType type, ulong to, ulong term);

    private sealed record PendingProposal(ulong Term, TaskCompletionSource<KvResult> Done, long StartedAt);

    private abstract record Input;

    private sealed record TickInput : Input
    {
        public static readonly TickInput Instance = new();
    }

    private sealed record MessageInput(Message Message) : Input;

    private sealed record UnreachableInput(ulong ReplicaId) : Input;

    private sealed record SnapshotStatusInput(ulong ReplicaId, bool Succeeded) : Input;

    private sealed record ProposalInput(Func<long, KvCommand> Build) : Input
    {
        public TaskCompletionSource<KvResult> Done { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }

    private sealed record ReadInput : Input
    {
        public TaskCompletionSource<bool> Done { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }
}
