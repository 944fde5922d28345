using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Threading.Channels;
using Microsoft.Extensions.Options;
using NodeNomad.Core.Cluster;
using NodeNomad.Core.KeyValue;
using NodeNomad.Node.Configuration;
using NodeNomad.Node.Runtime;
using NodeNomad.Node.Snapshots;
using NodeNomad.Node.Telemetry;
using NodeNomad.Node.Transport;
using NodeNomad.Raft;
using NodeNomad.Storage;

namespace NodeNomad.Node.Shards;

/// <summary>
/// The node's runtime shell around its <see cref="NodeCore"/>. Callers on any thread only enqueue — commands are
/// encoded before they enter — and await an <see cref="Outcome"/>. One loop feeds the core its inputs, runs its
/// turns, performs the one save per turn (one fsync, or one Marten transaction, for any number of groups), hands
/// messages to the transport, completes callers' tasks and logs the core's events. Nothing here decides anything
/// Raft or the state machines care about: that is all in the core, which the simulator drives the same way.
/// </summary>
public sealed partial class ReplicaHost : BackgroundService
{
    private readonly IRaftLog _log;
    private readonly NodeOptions _options;
    private readonly ClusterTopology _topology;
    private readonly IPeerSender _peers;
    private readonly NodeMetrics _metrics;
    private readonly ILogger<ReplicaHost> _logger;
    private readonly NodeCore _core;
    private readonly SnapshotStaging _staging;
    private readonly List<CompactionWrittenInput> _written = [];
    private readonly Channel<HostInput> _inputs = Channel.CreateUnbounded<HostInput>(new UnboundedChannelOptions { SingleReader = true });
    private readonly Channel<MetaCommand> _forMeta = Channel.CreateBounded<MetaCommand>(new BoundedChannelOptions(1024)
    {
        SingleReader = true,
        FullMode = BoundedChannelFullMode.DropOldest,
    });
    private readonly ConcurrentDictionary<long, TaskCompletionSource<Outcome>> _waiting = new();
    private long _nextTicket;
    private bool _warnedFactor;
    private volatile Exception? _failure;
    private volatile bool _recovered;

    /// <summary>Creates the host over the node's log.</summary>
    public ReplicaHost(
        IRaftLog log,
        IOptions<NodeOptions> options,
        ClusterTopology topology,
        IPeerSender peers,
        NodeMetrics metrics,
        TimeProvider clock,
        SnapshotStaging staging,
        SnapshotTransfers transfers,
        ILogger<ReplicaHost> logger)
    {
        ArgumentNullException.ThrowIfNull(transfers);
        Transfers = transfers;
        ArgumentNullException.ThrowIfNull(staging);
        _staging = staging;
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(topology);
        ArgumentNullException.ThrowIfNull(metrics);
        _log = log;
        _options = options.Value;
        _topology = topology;
        _peers = peers;
        _metrics = metrics;
        Clock = clock;
        _logger = logger;
        Addresses = new PeerAddressBook(topology.Self.NodeId, topology.Members);
        CommandClock = new CommandClock(clock);
        _core = new NodeCore(
            new NodeCoreSettings
            {
                SelfId = topology.Self.NodeId,
                ElectionTick = Math.Max(3, _options.ElectionTimeoutMs / _options.HeartbeatIntervalMs),
                SnapshotEntries = _options.SnapshotEntries,
                Seed = Random.Shared.Next(),
                Incarnation = Random.Shared.NextInt64(),
                MigrationStepTimeout = TimeSpan.FromMilliseconds(_options.MigrationStepTimeoutMs),
                DownAfter = TimeSpan.FromMilliseconds(_options.DownAfterMs),
                PlacementInterval = TimeSpan.FromMilliseconds(_options.PlacementIntervalMs),
                MaxConcurrentMoves = _options.MaxConcurrentMoves,
                // Silent for a few election timeouts: a node that misses heartbeats that long is not a place to move to.
                UpWithin = TimeSpan.FromMilliseconds(Math.Max(3_000, 3 * _options.ElectionTimeoutMs)),
            },
            Addresses,
            CommandClock,
            clock);
        metrics.ObserveState(
            () => Shards.Values.Sum(s => (long)s.Read(m => m.Count)),
            () => Shards.Values.Sum(s => s.Read(m => m.Bytes)),
            () => _log.Statistics.Bytes);
    }

    /// <summary>Raised on the loop when a group's leader, term or this replica's role changes.</summary>
    public event Action<ulong, string?, ulong, string>? LeadershipChanged;

    /// <summary>This node's member of the meta group.</summary>
    public MetaReplica Meta => _core.Meta;

    /// <summary>The cluster map this node last applied.</summary>
    public ClusterMap Map => _core.Map;

    /// <summary>This node's shard replicas, by shard id.</summary>
    public IReadOnlyDictionary<int, ShardReplica> Shards => _core.Shards;

    /// <summary>This node's replica of shard <paramref name="shardId"/>, or null when it holds none.</summary>
    public ShardReplica? Shard(int shardId) => _core.Shards.GetValueOrDefault(shardId);

    /// <summary>Whether recovery finished.</summary>
    public bool Recovered => _recovered;

    /// <summary>Why the replicas stopped (the log failed), or null while they run.</summary>
    public Exception? Failure => _failure;

    /// <summary>The snapshots this node sent (or is sending) to its peers, with their progress.</summary>
    public SnapshotTransfers Transfers { get; }

    /// <summary>Statistics of the node's log.</summary>
    public LogStatistics LogStatistics => _log.Statistics;

    /// <summary>This node's replica id.</summary>
    public ulong SelfReplicaId => _core.SelfReplicaId;

    /// <summary>This node's id.</summary>
    public string SelfId => _core.SelfId;

    /// <summary>Where every other node's peer port is.</summary>
    public PeerAddressBook Addresses { get; }

    /// <summary>The clock commands are stamped with.</summary>
    public CommandClock CommandClock { get; }

    internal TimeProvider Clock { get; }

    /// <summary>How long a request may take (REQUEST_TIMEOUT_MS).</summary>
    public TimeSpan RequestTimeout => TimeSpan.FromMilliseconds(_options.RequestTimeoutMs);

    /// <summary>How long a group may be without a leader before requests for it are refused at once: three election timeouts.</summary>
    private TimeSpan LeaderlessPatience => TimeSpan.FromMilliseconds(3 * _options.ElectionTimeoutMs);

    /// <summary>
    /// How long a request whose shard leader cannot be connected to waits for the shard to name another: three
    /// election timeouts and two seconds for the news to reach this node, never more than the request timeout.
    /// </summary>
    public TimeSpan UnreachableLeaderPatience => TimeSpan.FromMilliseconds(Math.Min(_options.RequestTimeoutMs, (3 * _options.ElectionTimeoutMs) + 2_000));

    /// <summary>The peer port of every other node, by node id: the configured members', then the map's (which wins).</summary>
    public IReadOnlyDictionary<string, Uri> PeerUris() => Addresses.PeerUris;

    /// <summary>The peer port of node <paramref name="nodeId"/>, or null when neither the map nor the configuration names it.</summary>
    public Uri? PeerUriOf(string nodeId) => Addresses.Of(nodeId);

    /// <summary>The node id of replica <paramref name="replicaId"/>, or null when no node by that id is known.</summary>
    public string? NodeName(ulong replicaId) => Addresses.NodeName(replicaId);

    /// <summary>Hands the loop a message from a peer. Never blocks.</summary>
    public void Deliver(ulong groupId, Message message) => _inputs.Writer.TryWrite(new InboundInput(groupId, message));

    /// <summary>The transport could not deliver a message of <paramref name="groupId"/> to <paramref name="replicaId"/>.</summary>
    public void ReportUnreachable(ulong groupId, ulong replicaId) => _inputs.Writer.TryWrite(new FeedbackInput(groupId, replicaId, null));

    /// <summary>A snapshot of <paramref name="groupId"/> sent to <paramref name="replicaId"/> arrived or failed.</summary>
    public void ReportSnapshot(ulong groupId, ulong replicaId, bool succeeded) => _inputs.Writer.TryWrite(new FeedbackInput(groupId, replicaId, succeeded));

    /// <summary>
    /// Writes the command <paramref name="build"/> makes, stamped now by the command clock (so expiry is decided when
    /// the write is logged), and returns how it ended: done with its <see cref="KvResult"/>, not the leader here, or
    /// unavailable (after the request timeout its outcome is unknown).
    /// </summary>
    public async Task<(Outcome Outcome, KvResult Result)> WriteAsync(ShardReplica shard, Func<long, KvCommand> build, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(build);
        // A write the group overturned (its entry lost to another leader's) is made again with a new stamp, so the
        // clock it is applied by never runs back.
        var outcome = await ProposeAsync(shard, () => KvCommandCodec.Encode(build(CommandClock.Next())), null,
            "The write was not committed in time: no quorum answered. It may still take effect.", cancellationToken);
        return (outcome, outcome.Value is KvResult result ? result : default);
    }

    /// <summary>
    /// Runs <paramref name="read"/> against the shard's applied state, with the time at which expiry is judged: at
    /// once for a stale read (this node's clock), or once a ReadIndex round confirmed the leader and this replica
    /// applied up to the confirmed index (at the time its leader vouched for).
    /// </summary>
    public async Task<(Outcome Outcome, T? Value)> ReadAsync<T>(ShardReplica shard, Func<KvStateMachine, long, T> read, bool linearizable, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(shard);
        ArgumentNullException.ThrowIfNull(read);
        if (Unavailable() is { } refused)
        {
            return (refused, default);
        }

        if (!linearizable)
        {
            return (Outcome.Confirmed(0), shard.Read(m => read(m, CommandClock.Now)));
        }

        var outcome = await ConfirmReadAsync(shard, cancellationToken);
        if (!outcome.IsDone)
        {
            return (outcome, default);
        }

        // The leader's time, not this node's: a replica whose clock runs ahead would otherwise let a key expire here
        // that a read through the leader, later, still finds — reads would go backwards.
        var at = outcome.ReadTime != 0 ? outcome.ReadTime : CommandClock.Now;
        return (outcome, shard.Read(m => read(m, at)));
    }

    /// <summary>
    /// Confirms a linearizable read of <paramref name="shard"/> (a ReadIndex round). A read changes nothing, so one the
    /// group could not confirm — its leader stepped down or handed its leadership over, the group is electing — is
    /// asked again once the group's status changes, until the request's deadline; and one whose replica left the group
    /// (a move took it away) is answered as not led here, naming the leader, so the router forwards it there. A client
    /// sees a move or a leadership change as a slower read, not an error.
    /// </summary>
    private async Task<Outcome> ConfirmReadAsync(ShardReplica shard, CancellationToken cancellationToken)
    {
        var deadline = Clock.GetUtcNow().AddMilliseconds(_options.RequestTimeoutMs);
        while (true)
        {
            var changed = shard.StatusChanged;
            var outcome = await RequestAsync(shard, ticket => new ReadInput(ticket, shard.GroupId), leaderOnly: false,
                "The read could not be confirmed by a quorum in time.", cancellationToken);
            if (outcome.Kind == OutcomeKind.Unavailable && outcome.Reason is GroupReplica.RemovedReason or GroupReplica.NotHeldReason or GroupReplica.DroppedReason)
            {
                return ElsewhereOrAsIs(shard, outcome);
            }

            // Only a read the group took and then dropped is asked again: a group without a leader for long has lost
            // its majority, and that refusal (like a timeout) is answered at once.
            var now = Clock.GetUtcNow();
            if (outcome.Kind != OutcomeKind.Unavailable || outcome.Reason is not (GroupReplica.ReadDroppedReason or GroupReplica.ReadOverturnedReason)
                || Unavailable() is not null || now >= deadline)
            {
                return outcome;
            }

            try
            {
                var patience = TimeSpan.FromMilliseconds(_options.ElectionTimeoutMs);
                await changed.WaitAsync(deadline - now < patience ? deadline - now : patience, Clock, cancellationToken);
            }
            catch (TimeoutException)
            {
            }
        }
    }

    /// <summary>Hands the core the load of every node and replica, which its rebalancer decides by while this node leads the meta group. Never blocks.</summary>
    public void ObserveLoad(RebalancerLoad load) => _inputs.Writer.TryWrite(new LoadInput(load));

    /// <summary>The rebalancer's decisions while this node leads the meta group, newest first.</summary>
    public IReadOnlyList<RebalancerDecision> RebalancerDecisions => _core.RebalancerDecisions;

    /// <summary>The smoothed load the rebalancer decides by while this node leads the meta group.</summary>
    public RebalancerLoad RebalancerLoad => _core.RebalancerLoad;

    /// <summary>Meta commands this node's migration driver asks the meta leader to apply (the forwarder reads them).</summary>
    public ChannelReader<MetaCommand> ForMeta => _forMeta.Reader;

    /// <summary>Asks this node's replica of <paramref name="group"/>, if it leads, to hand leadership to <paramref name="transferee"/>.</summary>
    public void TransferLeadership(GroupReplica group, ulong transferee)
    {
        ArgumentNullException.ThrowIfNull(group);
        _inputs.Writer.TryWrite(new TransferInput(group.GroupId, transferee));
    }

    /// <summary>Proposes a meta command; the outcome's value is why the state machine refused it, or null when it took effect.</summary>
    public Task<Outcome> ProposeMetaAsync(MetaCommand command, CancellationToken cancellationToken) =>
        ProposeAsync(Meta, () => MetaStateMachine.Encode(command), null, "The cluster map change was not committed in time.", cancellationToken);

    /// <summary>Proposes a membership change of <paramref name="group"/>; done once it is applied.</summary>
    public Task<Outcome> ProposeConfChangeAsync(GroupReplica group, ConfChange change, CancellationToken cancellationToken) =>
        ProposeAsync(group, () => null, change, "The membership change was not committed in time.", cancellationToken);

    /// <summary>
    /// Proposes to <paramref name="group"/>. A leader handing its leadership over refuses proposals until the transfer
    /// ends (it names itself as leader), and a replica whose group is electing knows no leader: either refusal appended
    /// nothing, so the proposal waits for the group's status to change and is made again, here or (as a not-leader
    /// outcome naming the new leader) forwarded there, until the request's deadline. A proposal the group took and then
    /// overturned (a new leader's entry took its index, so it can never commit) is made again at once, from
    /// <paramref name="command"/> anew: a client sees an election as a slower write, not an error.
    /// </summary>
    private async Task<Outcome> ProposeAsync(GroupReplica group, Func<byte[]?> command, ConfChange? change, string timeoutReason, CancellationToken cancellationToken)
    {
        var deadline = Clock.GetUtcNow().AddMilliseconds(_options.RequestTimeoutMs);
        while (true)
        {
            var changed = group.StatusChanged;
            var encoded = command();
            var outcome = await RequestAsync(group, ticket => new ProposalInput(ticket, group.GroupId, encoded, change), leaderOnly: true, timeoutReason, cancellationToken);
            var now = Clock.GetUtcNow();
            if (outcome.Kind == OutcomeKind.Unavailable && outcome.Reason == GroupReplica.OverturnedReason && now < deadline && Unavailable() is null)
            {
                LogOverturned(_logger, group.GroupId);
                continue;
            }

            // A proposal that reached the core after a move dropped the replica here never entered the group, so it
            // goes to the group's leader instead; one the group took and then lost with the replica stays unknown.
            if (outcome.Kind == OutcomeKind.Unavailable && outcome.Reason == GroupReplica.NotHeldReason)
            {
                return ElsewhereOrAsIs(group, outcome);
            }

            if (outcome.Kind != OutcomeKind.NotLeader || (outcome.Leader is not null && outcome.Leader != SelfId) || now >= deadline)
            {
                return outcome;
            }

            try
            {
                var patience = TimeSpan.FromMilliseconds(_options.ElectionTimeoutMs);
                await changed.WaitAsync(deadline - now < patience ? deadline - now : patience, Clock, cancellationToken);
            }
            catch (TimeoutException)
            {
            }
        }
    }

    /// <summary>
    /// A request that may safely be served by the group elsewhere, because this replica left it: not led here, naming
    /// the leader this replica last knew, so the router forwards it there; as it is when no other leader is known.
    /// </summary>
    private Outcome ElsewhereOrAsIs(GroupReplica group, Outcome outcome) =>
        group.Status.LeaderId is { } leader && leader != SelfId ? Outcome.NotLeaderHere(leader) : outcome;

    private async Task<Outcome> RequestAsync(GroupReplica group, Func<long, HostInput> input, bool leaderOnly, string timeoutReason, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(group);
        if (Unavailable() is { } refused)
        {
            return refused;
        }

        if (await WaitForLeaderAsync(group, cancellationToken) is { } leaderless)
        {
            return leaderless;
        }

        if (leaderOnly && !group.IsLeader)
        {
            return Outcome.NotLeaderHere(group.Status.LeaderId);
        }

        var ticket = Interlocked.Increment(ref _nextTicket);
        var done = new TaskCompletionSource<Outcome>(TaskCreationOptions.RunContinuationsAsynchronously);
        _waiting[ticket] = done;
        if (!_inputs.Writer.TryWrite(input(ticket)))
        {
            _waiting.TryRemove(ticket, out _);
            return Outcome.Unavailable("The node is stopping.");
        }

        try
        {
            return await done.Task.WaitAsync(TimeSpan.FromMilliseconds(_options.RequestTimeoutMs), Clock, cancellationToken);
        }
        catch (TimeoutException)
        {
            return Outcome.Unavailable(timeoutReason);
        }
        finally
        {
            _waiting.TryRemove(ticket, out _);
        }
    }

    private Outcome? Unavailable() =>
        _failure is not null ? Outcome.Unavailable("The node's log failed; the node must be restarted before it serves again.")
        : !_recovered ? Outcome.Unavailable("The node is still recovering its log.")
        : null;

    /// <summary>Waits, up to the request timeout, until some replica of <paramref name="group"/> is known to lead; null once one is.</summary>
    private async Task<Outcome?> WaitForLeaderAsync(GroupReplica group, CancellationToken cancellationToken)
    {
        var arrival = Clock.GetUtcNow();
        var deadline = arrival.AddMilliseconds(_options.RequestTimeoutMs);
        while (group.Status.LeaderId is null)
        {
            var changed = group.StatusChanged;
            var status = group.Status;
            if (status.LeaderId is not null)
            {
                return null;
            }

            var now = Clock.GetUtcNow();
            if (deadline <= now || _failure is not null)
            {
                return Outcome.Unavailable("No leader is known: an election is in progress, or this node cannot reach a quorum of the shard's replicas.");
            }

            // Elections finish within a few timeouts: a group without a leader for longer has lost its majority, and
            // waiting out the whole request timeout would only hold the caller, who may retry (Retry-After). Every
            // request still waits one election timeout, for a leader that is being elected or heard from right now.
            var since = status.LeaderlessSince == 0 ? (DateTimeOffset?)null : DateTimeOffset.FromUnixTimeMilliseconds(status.LeaderlessSince);
            var giveUp = since is { } s ? Max(s + LeaderlessPatience, arrival + TimeSpan.FromMilliseconds(_options.ElectionTimeoutMs)) : deadline;
            if (giveUp <= now)
            {
                return Outcome.Unavailable(string.Create(CultureInfo.InvariantCulture,
                    $"No leader for {(now - since!.Value).TotalSeconds:F1} s: a majority of the shard's replicas is unreachable from this node."));
            }

            try
            {
                await changed.WaitAsync(Min(deadline, giveUp) - now, Clock, cancellationToken);
            }
            catch (TimeoutException)
            {
            }
        }

        return null;
    }

    private static DateTimeOffset Max(DateTimeOffset a, DateTimeOffset b) => a > b ? a : b;

    private static DateTimeOffset Min(DateTimeOffset a, DateTimeOffset b) => a < b ? a : b;

    /// <summary>Recovers every group from the log before the node serves.</summary>
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
        foreach (var shard in Shards.Values)
        {
            shard.Dispose();
        }

        base.Dispose();
    }

    /// <inheritdoc />
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var ticker = new PeriodicTimer(TimeSpan.FromMilliseconds(_options.HeartbeatIntervalMs), Clock);
        var ticks = TickAsync(ticker, stoppingToken);
        var reader = _inputs.Reader;
        try
        {
            while (_failure is null && await reader.WaitToReadAsync(CancellationToken.None))
            {
                var started = Stopwatch.GetTimestamp();
                _core.SetTime(CommandClock.Now);
                var taken = 0;
                while (taken < _options.MaxBatchEntries && reader.TryRead(out var input))
                {
                    Handle(input);
                    taken++;
                }

                await RunTurnsAsync();
                _metrics.LoopPass(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
            }
        }
        finally
        {
            var reason = _failure is not null ? "The node's log failed; the node must be restarted." : "The node is stopping.";
            _core.Stop(reason);
            Dispatch(_core.TakeOutput());
            while (reader.TryRead(out _))
            {
            }

            foreach (var waiting in _waiting.Values)
            {
                waiting.TrySetResult(Outcome.Unavailable(reason));
            }

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

    private void Handle(HostInput input)
    {
        switch (input)
        {
            case TickInput:
                _core.Tick();
                break;
            case InboundInput { Message.Snapshot: { } snapshot, Staged: false } inbound when _log.StagesSnapshots && _core.LogKeyOf(inbound.GroupId) is { } logKey:
                // The log writes a large snapshot's file on the thread pool first; installing it then only renames
                // the file, rather than copying the shard on the loop that every group shares.
                _ = Task.Run(() =>
                {
                    try
                    {
                        _log.StageSnapshot(logKey, snapshot);
                    }
#pragma warning disable CA1031 // Staging is only a head start: the save writes the file itself and reports what fails there.
                    catch (Exception e)
#pragma warning restore CA1031
                    {
                        LogStageFailed(_logger, e, inbound.GroupId);
                    }

                    _inputs.Writer.TryWrite(inbound with { Staged = true });
                });
                break;
            case InboundInput inbound:
                LogReceived(_logger, inbound.GroupId, inbound.Message.Type, inbound.Message.From, inbound.Message.Term);
                _core.Step(inbound.GroupId, inbound.Message);
                break;
            case FeedbackInput { SnapshotSucceeded: { } ok } feedback:
                _core.ReportSnapshot(feedback.GroupId, feedback.ReplicaId, ok);
                break;
            case FeedbackInput feedback:
                _core.ReportUnreachable(feedback.GroupId, feedback.ReplicaId);
                break;
            case ProposalInput proposal:
                _core.Propose(proposal.Ticket, proposal.GroupId, proposal.Command, proposal.Change);
                break;
            case ReadInput read:
                _core.Read(read.Ticket, read.GroupId);
                break;
            case TransferInput transfer:
                _core.TransferLeadership(transfer.GroupId, transfer.Transferee);
                break;
            case LoadInput load:
                _core.ObserveLoad(load.Load);
                break;
            case CompactionWrittenInput written:
                _written.Add(written);
                break;
        }
    }

    /// <summary>Runs the core's turns until none is due: plan, send what may go early, save, then complete.</summary>
    private async Task RunTurnsAsync()
    {
        Dispatch(_core.TakeOutput());
        foreach (var written in _written)
        {
            await StoreCompactionAsync(written);
        }

        _written.Clear();
        while (_failure is null && _core.Prepare() is { } plan)
        {
            Send(plan.SendNow);
            Dispatch(_core.TakeOutput());
            if (plan.Save is { } batch && !await SaveAsync(batch, plan.Entries))
            {
                return;
            }

            _core.Persisted();
            if (plan.Save is { } saved)
            {
                Staged(saved);
            }

            var output = _core.TakeOutput();
            Dispatch(output);
            foreach (var compaction in output.Compactions)
            {
                WriteCompaction(compaction);
            }
        }
    }

    /// <summary>
    /// After a save: a group that installed a snapshot now reads it from the file it arrived in (which stays), and a
    /// dropped group's file goes.
    /// </summary>
    private void Staged(LogBatch batch)
    {
        foreach (var write in batch.Groups)
        {
            if (write.Snapshot is { } snapshot)
            {
                _staging.Adopt(write.GroupId, snapshot.Data);
            }
        }

        foreach (var dropped in batch.Dropped)
        {
            _staging.Drop(dropped);
        }
    }

    /// <summary>
    /// Writes a compaction's snapshot data to a staging file on the thread pool, so that a large shard is serialized
    /// neither on the loop nor into memory; the loop stores it once written.
    /// </summary>
    private void WriteCompaction(Compaction compaction)
    {
        var path = _staging.NewFile("taken");
        _ = Task.Run(() =>
        {
            HostInput written;
            try
            {
                long bytes;
                using (var file = new FileStream(path, FileMode.CreateNew, FileAccess.Write, FileShare.Read, bufferSize: 0))
                {
                    compaction.WriteState(file);
                    bytes = file.Length;
                }

                _staging.Written(path);

                // And the log's own file, so that storing it on the loop only renames it.
                if (_log.StagesSnapshots)
                {
                    _log.StageSnapshot(compaction.LogKey, new Snapshot(compaction.Metadata, SnapshotData.FromFile(path, 0, bytes)));
                }

                written = new CompactionWrittenInput(compaction, path, bytes, null);
            }
#pragma warning disable CA1031 // A failed snapshot loses nothing: the log still holds every entry. The loop reports it.
            catch (Exception e)
#pragma warning restore CA1031
            {
                written = new CompactionWrittenInput(compaction, path, 0, e);
            }

            if (!_inputs.Writer.TryWrite(written))
            {
                // The node is stopping.
                _staging.Discard(path);
            }
        });
    }

    private async Task<bool> SaveAsync(LogBatch batch, int entries)
    {
        var started = Stopwatch.GetTimestamp();
        try
        {
            await _log.SaveAsync(batch);
        }
#pragma warning disable CA1031 // Any failure to make the batch durable stops the replicas; the cause is kept and reported.
        catch (Exception e)
#pragma warning restore CA1031
        {
            // Whether the batch reached the disk is unknown, and Raft must never send what it may have forgotten:
            // every group stops here and a restart recovers the log and settles the question.
            _failure = e;
            LogSaveFailed(_logger, e, entries, batch.Groups.Count);
            _core.SaveFailed("The node's log failed to make a batch durable; the node must be restarted before it serves again. Writes waiting here may or may not have taken effect.");
            Dispatch(_core.TakeOutput());
            return false;
        }

        if (entries > 0)
        {
            _metrics.Synced(entries, Stopwatch.GetElapsedTime(started).TotalMilliseconds);
        }

        return true;
    }

    /// <summary>Stores a written compaction in the log and tells the core; the group then reads its snapshot from the staging file.</summary>
    private async Task StoreCompactionAsync(CompactionWrittenInput written)
    {
        var compaction = written.Compaction;
        var index = compaction.Metadata.Index;
        var snapshot = new Snapshot(compaction.Metadata, SnapshotData.FromFile(written.Path, 0, written.Bytes));
        var started = System.Diagnostics.Stopwatch.GetTimestamp();
        try
        {
            if (written.Error is { } error)
            {
                throw new IOException($"Writing the snapshot to {written.Path} failed: {error.Message}", error);
            }

            await _log.CompactAsync(compaction.LogKey, snapshot);
        }
#pragma warning disable CA1031 // A failed snapshot loses nothing: the log still holds every entry. Try again later.
        catch (Exception e)
#pragma warning restore CA1031
        {
            LogSnapshotFailed(_logger, e, compaction.GroupId, index);
            _staging.Discard(written.Path);
            _core.Compacted(compaction, stored: null);
            return;
        }

        if (_core.Compacted(compaction, snapshot))
        {
            _staging.Adopt(compaction.LogKey, snapshot.Data);
        }
        else
        {
            _staging.Discard(written.Path);
        }

        var stored = System.Diagnostics.Stopwatch.GetElapsedTime(started).TotalMilliseconds;
        _metrics.SnapshotTaken(stored);
        LogSnapshotTaken(_logger, compaction.GroupId, index, written.Bytes, stored);
    }

    private void Send(IReadOnlyList<Outbound> messages)
    {
        foreach (var (groupId, message) in messages)
        {
            LogSending(_logger, groupId, message.Type, message.To, message.Term);
            _peers.Send(groupId, message);
        }
    }

    /// <summary>Sends, answers callers and reports events the core produced.</summary>
    private void Dispatch(TurnOutput output)
    {
        Send(output.Sends);
        foreach (var command in output.ForMeta)
        {
            // Lost when the queue is full: the migration driver repeats what does not show in the map.
            _forMeta.Writer.TryWrite(command);
        }

        foreach (var (ticket, outcome) in output.Completions)
        {
            if (_waiting.TryGetValue(ticket, out var waiting))
            {
                waiting.TrySetResult(outcome);
            }
        }

        foreach (var coreEvent in output.Events)
        {
            Report(coreEvent);
        }
    }

    private void Report(CoreEvent coreEvent)
    {
        switch (coreEvent)
        {
            case Runtime.LeaderChanged changed:
                LogLeaderChanged(_logger, changed.GroupId, changed.Leader, changed.Term, changed.Role);
                if (changed.RoleChanged)
                {
                    _metrics.RoleChanged(changed.Role);
                }

                LeadershipChanged?.Invoke(changed.GroupId, changed.Leader, changed.Term, changed.Role);
                break;
            case SnapshotInstalled installed:
                LogSnapshotInstalled(_logger, installed.GroupId, installed.Index, installed.Bytes);
                break;
            case GroupRecovered recovered:
                LogGroupRecovered(_logger, recovered.GroupId, recovered.LastIndex, recovered.SnapshotIndex);
                break;
            case ReplicaCreated created:
                LogReplicaCreated(_logger, created.ShardId, created.Epoch, created.Replicas);
                break;
            case ReplicaDropped dropped:
                LogReplicaDropped(_logger, dropped.ShardId, dropped.Epoch);
                break;
            case UnknownGroup unknown:
                LogUnknownGroup(_logger, unknown.GroupId, unknown.Type, unknown.From);
                break;
            case MapApplied applied:
                _peers.SetPeers(Addresses.ByReplica);
                if (applied.Map.IsBootstrapped && !_warnedFactor && applied.Map.ReplicationFactor < _options.ReplicationFactor)
                {
                    _warnedFactor = true;
                    LogFactorCapped(_logger, _options.ReplicationFactor, applied.Map.ReplicationFactor, applied.Map.Nodes.Count);
                }

                break;
        }
    }

    private async Task RecoverAsync(CancellationToken cancellationToken)
    {
        var started = Stopwatch.GetTimestamp();
        var recovered = await _log.RecoverAsync(cancellationToken);
        if (recovered.TruncatedTailBytes > 0)
        {
            LogTornTail(_logger, recovered.TruncatedTailBytes);
        }

        _core.SetTime(CommandClock.Now);
        var initial = _topology.InitialMetaMembers();
        _core.Recover(recovered, initial);
        _peers.SetPeers(Addresses.ByReplica);

        // Re-apply what is committed (the meta group's first membership included) before campaigning: a replica with
        // a committed membership change it has not applied does not campaign.
        await RunTurnsAsync();
        _core.PlaceReplicas();
        await RunTurnsAsync();
        if (initial is { Voters.Count: 1 } && initial.Voters[0] == SelfReplicaId)
        {
            // A cluster of one need not wait out an election timeout: it leads, creates its map and its shards at once.
            _core.Campaign(MetaReplica.MetaGroupId);
            await RunTurnsAsync();
            if (!Map.IsBootstrapped)
            {
                var bootstrap = _topology.Bootstrap(_options, Guid.NewGuid().ToString("N"));
                _core.Propose(Interlocked.Increment(ref _nextTicket), MetaReplica.MetaGroupId, MetaStateMachine.Encode(bootstrap));
                await RunTurnsAsync();
            }
        }

        if (_failure is { } failure)
        {
            throw new LogCorruptedException("The log failed while the node recovered.", failure);
        }

        _recovered = true;
        var elapsed = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
        var keys = Shards.Values.Sum(s => (long)s.Read(m => m.Count));
        LogRecovered(_logger, Shards.Count + 1, Shards.Count, keys, elapsed);
    }

    [LoggerMessage(EventId = 100, Level = LogLevel.Information, Message = "Recovered {Groups} groups ({Shards} shard replicas, {Keys} keys) in {Milliseconds:F1} ms")]
    private static partial void LogRecovered(ILogger logger, int groups, int shards, long keys, double milliseconds);

    [LoggerMessage(EventId = 114, Level = LogLevel.Warning, Message = "REPLICATION_FACTOR={Configured} is capped at {Effective}: the cluster was created with {Members} member(s), so losing a node's disk can lose data")]
    private static partial void LogFactorCapped(ILogger logger, int configured, int effective, int members);

    [LoggerMessage(EventId = 113, Level = LogLevel.Information, Message = "Recovered group {Group}: last index {LastIndex}, snapshot index {SnapshotIndex}")]
    private static partial void LogGroupRecovered(ILogger logger, ulong group, ulong lastIndex, ulong snapshotIndex);

    [LoggerMessage(EventId = 101, Level = LogLevel.Warning, Message = "Cut a torn tail of {Bytes} bytes from the log (a batch that was never acknowledged)")]
    private static partial void LogTornTail(ILogger logger, long bytes);

    [LoggerMessage(EventId = 102, Level = LogLevel.Critical, Message = "The log failed to make a batch of {Count} entries of {Groups} groups durable; every replica stops until the node is restarted")]
    private static partial void LogSaveFailed(ILogger logger, Exception exception, int count, int groups);

    [LoggerMessage(EventId = 103, Level = LogLevel.Information, Message = "Snapshot of group {Group} at index {Index} ({Bytes} bytes); the log before it was dropped, in {StoreMilliseconds:F1} ms")]
    private static partial void LogSnapshotTaken(ILogger logger, ulong group, ulong index, long bytes, double storeMilliseconds);

    [LoggerMessage(EventId = 118, Level = LogLevel.Warning, Message = "Could not write ahead the snapshot received for group {Group}; it is written when installed")]
    private static partial void LogStageFailed(ILogger logger, Exception exception, ulong group);

    [LoggerMessage(EventId = 104, Level = LogLevel.Error, Message = "Snapshot of group {Group} at index {Index} failed; the log keeps every entry and the next threshold tries again")]
    private static partial void LogSnapshotFailed(ILogger logger, Exception exception, ulong group, ulong index);

    [LoggerMessage(EventId = 105, Level = LogLevel.Information, Message = "Installed a snapshot of group {Group} from the leader at index {Index} ({Bytes} bytes)")]
    private static partial void LogSnapshotInstalled(ILogger logger, ulong group, ulong index, long bytes);

    [LoggerMessage(EventId = 106, Level = LogLevel.Information, Message = "Group {Group} (0 is the meta group, shard i is group i + 1): leader is {Leader} in term {Term}; this replica is {Role}")]
    private static partial void LogLeaderChanged(ILogger logger, ulong group, string? leader, ulong term, string role);

    [LoggerMessage(EventId = 131, Level = LogLevel.Information, Message = "Group {Group}: a proposal lost its index to a new leader's entry, so it did not take effect; it is made again")]
    private static partial void LogOverturned(ILogger logger, ulong group);

    [LoggerMessage(EventId = 107, Level = LogLevel.Trace, Message = "Group {Group}: received {Type} from {From} in term {Term}")]
    private static partial void LogReceived(ILogger logger, ulong group, MessageType type, ulong from, ulong term);

    [LoggerMessage(EventId = 108, Level = LogLevel.Trace, Message = "Group {Group}: sending {Type} to {To} in term {Term}")]
    private static partial void LogSending(ILogger logger, ulong group, MessageType type, ulong to, ulong term);

    [LoggerMessage(EventId = 109, Level = LogLevel.Debug, Message = "Dropped {Type} from {From} for group {Group}, which this node does not host")]
    private static partial void LogUnknownGroup(ILogger logger, ulong group, MessageType type, ulong from);

    [LoggerMessage(EventId = 115, Level = LogLevel.Information, Message = "Deleted this node's replica of shard {Shard} (the map at epoch {Epoch} no longer places it here) and dropped its group from the log")]
    private static partial void LogReplicaDropped(ILogger logger, int shard, long epoch);

    [LoggerMessage(EventId = 112, Level = LogLevel.Information, Message = "Hosting a replica of shard {Shard} (epoch {Epoch}, replicas {Replicas})")]
    private static partial void LogReplicaCreated(ILogger logger, int shard, long epoch, IReadOnlyList<string> replicas);
}
