using System.Diagnostics;
using System.Threading.Channels;
using Microsoft.Extensions.Options;
using NodeNomad.Core.Cluster;
using NodeNomad.Node.Configuration;
using NodeNomad.Node.Telemetry;
using NodeNomad.Raft;
using NodeNomad.Storage;

namespace NodeNomad.Node.Shards;

/// <summary>
/// The node's multi-Raft runtime. One loop drives every group the node hosts — the meta group and a replica of
/// each shard the cluster map places here. Each turn it takes every waiting input, then gathers the Ready of every
/// group and makes all of it durable in ONE save (one fsync, or one Marten transaction, for any number of groups),
/// and only then lets each group send, apply and advance, in the order Raft requires. Groups are created when the
/// applied cluster map places a shard here.
/// </summary>
public sealed partial class ReplicaHost : BackgroundService
{
    private readonly IRaftLog _log;
    private readonly NodeOptions _options;
    private readonly ClusterTopology _topology;
    private readonly IPeerSender _peers;
    private readonly NodeMetrics _metrics;
    private readonly ILogger<ReplicaHost> _logger;
    private readonly Channel<HostInput> _inputs = Channel.CreateUnbounded<HostInput>(new UnboundedChannelOptions { SingleReader = true });
    private readonly Dictionary<ulong, GroupReplica> _groups = [];
    private IReadOnlyDictionary<ulong, RecoveredGroup> _recoveredGroups = new Dictionary<ulong, RecoveredGroup>();
    private volatile IReadOnlyDictionary<int, ShardReplica> _shards = new Dictionary<int, ShardReplica>();
    private ClusterMap? _pendingMap;
    private long _lastTimestamp;
    private long _persistedEntries;
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
        ILogger<ReplicaHost> logger)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(metrics);
        _log = log;
        _options = options.Value;
        _topology = topology;
        _peers = peers;
        _metrics = metrics;
        Clock = clock;
        _logger = logger;
        Meta = new MetaReplica(this);
        metrics.ObserveState(
            () => Shards.Values.Sum(s => (long)s.Read(m => m.Count)),
            () => Shards.Values.Sum(s => s.Read(m => m.Bytes)),
            () => _log.Statistics.Bytes);
    }

    /// <summary>Raised on the loop when a group's leader, term or this replica's role changes.</summary>
    public event Action<ulong, string?, ulong, string>? LeadershipChanged;

    /// <summary>This node's member of the meta group.</summary>
    public MetaReplica Meta { get; }

    /// <summary>The cluster map this node last applied.</summary>
    public ClusterMap Map => Meta.Map;

    /// <summary>This node's shard replicas, by shard id.</summary>
    public IReadOnlyDictionary<int, ShardReplica> Shards => _shards;

    /// <summary>This node's replica of shard <paramref name="shardId"/>, or null when it holds none.</summary>
    public ShardReplica? Shard(int shardId) => _shards.GetValueOrDefault(shardId);

    /// <summary>Whether recovery finished.</summary>
    public bool Recovered => _recovered;

    /// <summary>Why the replicas stopped (the log failed), or null while they run.</summary>
    public Exception? Failure => _failure;

    /// <summary>Statistics of the node's log.</summary>
    public LogStatistics LogStatistics => _log.Statistics;

    /// <summary>
    /// How far (in entries of every group) a group's oldest entry not covered by a snapshot may lie behind the log's
    /// head before the group is snapshotted anyway, so that quiet groups let old log segments go.
    /// </summary>
    private long PinLimit => 2L * _options.SnapshotEntries;

    /// <summary>This node's replica id.</summary>
    public ulong SelfReplicaId => _topology.Self.ReplicaId;

    /// <summary>This node's id.</summary>
    public string SelfId => _topology.Self.NodeId;

    internal TimeProvider Clock { get; }

    internal int RequestTimeoutMs => _options.RequestTimeoutMs;

    /// <summary>How long a group may be without a leader before requests for it are refused at once: three election timeouts.</summary>
    internal TimeSpan LeaderlessPatience => TimeSpan.FromMilliseconds(3 * _options.ElectionTimeoutMs);

    /// <summary>The configured election timeout.</summary>
    internal TimeSpan ElectionTimeout => TimeSpan.FromMilliseconds(_options.ElectionTimeoutMs);

    /// <summary>Hands the loop a message from a peer. Never blocks.</summary>
    public void Deliver(ulong groupId, Message message) => _inputs.Writer.TryWrite(new InboundInput(groupId, message));

    /// <summary>The transport could not deliver a message of <paramref name="groupId"/> to <paramref name="replicaId"/>.</summary>
    public void ReportUnreachable(ulong groupId, ulong replicaId) => _inputs.Writer.TryWrite(new FeedbackInput(groupId, replicaId, null));

    /// <summary>A snapshot of <paramref name="groupId"/> sent to <paramref name="replicaId"/> arrived or failed.</summary>
    public void ReportSnapshot(ulong groupId, ulong replicaId, bool succeeded) => _inputs.Writer.TryWrite(new FeedbackInput(groupId, replicaId, succeeded));

    /// <summary>The node id of replica <paramref name="replicaId"/>, or null when no node by that id is known.</summary>
    public string? NodeName(ulong replicaId) =>
        replicaId == 0 ? null : Map.NodeByReplica(replicaId)?.Id ?? _topology.Find(replicaId)?.NodeId;

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
        foreach (var shard in _shards.Values)
        {
            shard.Dispose();
        }

        base.Dispose();
    }

    internal void Enqueue(HostInput input)
    {
        if (!_inputs.Writer.TryWrite(input))
        {
            Fail(input, new ShardUnavailableException("The node is stopping."));
        }
    }

    /// <summary>Answers a waiting caller's input with <paramref name="reason"/>; other inputs need no answer.</summary>
    private static void Fail(HostInput input, Exception reason)
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

    internal void Send(ulong groupId, Message message)
    {
        LogSending(_logger, groupId, message.Type, message.To, message.Term);
        _peers.Send(groupId, message);
    }

    /// <summary>A timestamp for a new command: the wall clock, but never behind one already in any log this node applied.</summary>
    internal long NextTimestamp()
    {
        var now = Math.Max(Clock.GetUtcNow().ToUnixTimeMilliseconds(), _lastTimestamp);
        _lastTimestamp = now;
        return now;
    }

    internal void ObserveTimestamp(long timestamp) => _lastTimestamp = Math.Max(_lastTimestamp, timestamp);

    internal void ThrowIfUnavailable()
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

    internal async Task<T> WaitAsync<T>(Task<T> task, string timeoutReason, CancellationToken cancellationToken)
    {
        try
        {
            return await task.WaitAsync(TimeSpan.FromMilliseconds(_options.RequestTimeoutMs), Clock, cancellationToken);
        }
        catch (TimeoutException e)
        {
            throw new ShardUnavailableException(timeoutReason, e);
        }
    }

    internal void LeaderChanged(ulong groupId, string? leader, ulong term, string role)
    {
        LogLeaderChanged(_logger, groupId, leader, term, role);
        LeadershipChanged?.Invoke(groupId, leader, term, role);
    }

    internal void SnapshotInstalled(ulong groupId, Snapshot snapshot) =>
        LogSnapshotInstalled(_logger, groupId, snapshot.Metadata.Index, snapshot.Data.Length);

    internal void SnapshotTaken(ulong groupId, ulong index, int bytes)
    {
        _metrics.SnapshotTaken();
        LogSnapshotTaken(_logger, groupId, index, bytes);
    }

    internal void SnapshotFailed(ulong groupId, Exception e, ulong index) => LogSnapshotFailed(_logger, e, groupId, index);

    /// <summary>The meta group applied a new map: the loop creates the shard replicas it places here after this turn.</summary>
    internal void MapChanged(ClusterMap map) => _pendingMap = map;

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
            var reason = _failure is { } failure
                ? new ShardUnavailableException("The node's log failed; the node must be restarted.", failure)
                : new ShardUnavailableException("The node is stopping.");
            foreach (var group in _groups.Values)
            {
                group.FailPending(reason);
            }

            while (reader.TryRead(out var input))
            {
                Fail(input, reason);
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
                foreach (var group in _groups.Values)
                {
                    group.Raft.Tick();
                }

                break;
            case InboundInput inbound:
                if (_groups.TryGetValue(inbound.GroupId, out var target))
                {
                    LogReceived(_logger, inbound.GroupId, inbound.Message.Type, inbound.Message.From, inbound.Message.Term);
                    target.Handle(new MessageInput(target, inbound.Message));
                }
                else
                {
                    // A group the applied map does not place here (yet): Raft retransmits, so dropping is safe.
                    LogUnknownGroup(_logger, inbound.GroupId, inbound.Message.Type, inbound.Message.From);
                }

                break;
            case FeedbackInput feedback when _groups.TryGetValue(feedback.GroupId, out var group):
                group.Handle(feedback.SnapshotSucceeded is { } ok
                    ? new SnapshotStatusInput(group, feedback.ReplicaId, ok)
                    : new UnreachableInput(group, feedback.ReplicaId));
                break;
            case GroupInput groupInput:
                groupInput.Group.Handle(groupInput);
                break;
            case LoopAction action:
                action.Run();
                break;
        }
    }

    private async Task HandleReadyAsync()
    {
        while (_failure is null)
        {
            var readies = new List<(GroupReplica Group, Ready Ready, bool Sent)>();
            foreach (var group in _groups.Values)
            {
                if (group.Raft.HasReady())
                {
                    // A leader's appends go out while its own save is under way: replication overlaps the local fsync.
                    var ready = group.Raft.Ready();
                    var sent = group.SendsBeforePersisting;
                    if (sent)
                    {
                        group.SendMessages(ready);
                    }

                    readies.Add((group, ready, sent));
                }
            }

            if (readies.Count == 0)
            {
                break;
            }

            var writes = new List<GroupWrite>();
            var entries = 0;
            foreach (var (group, ready, _) in readies)
            {
                if (group.DurableWrite(ready, _persistedEntries) is { } write)
                {
                    writes.Add(write);
                    entries += write.Entries.Count;
                }
            }

            if (writes.Count > 0 && !await PersistAsync(writes, entries))
            {
                return;
            }

            foreach (var (group, ready, sent) in readies)
            {
                group.Persisted();
                group.Complete(ready, sent);
            }

            if (_pendingMap is { } map)
            {
                _pendingMap = null;
                PlaceReplicas(map);
            }

            // Every group, the quiet ones included: they may be the ones keeping old log segments.
            foreach (var group in _groups.Values)
            {
                await group.MaybeSnapshotAsync(_log, _options.SnapshotEntries, _persistedEntries, PinLimit);
            }
        }
    }

    private async Task<bool> PersistAsync(List<GroupWrite> writes, int entries)
    {
        var started = Stopwatch.GetTimestamp();
        try
        {
            await _log.SaveAsync(new LogBatch(writes));
        }
#pragma warning disable CA1031 // Any failure to make the batch durable stops the replicas; the cause is kept and reported.
        catch (Exception e)
#pragma warning restore CA1031
        {
            // Whether the batch reached the disk is unknown, and Raft must never send what it may have forgotten:
            // every group stops here and a restart recovers the log and settles the question.
            _failure = e;
            LogSaveFailed(_logger, e, entries, writes.Count);
            return false;
        }

        if (entries > 0)
        {
            _persistedEntries += entries;
            _metrics.Synced(entries, Stopwatch.GetElapsedTime(started).TotalMilliseconds);
        }

        return true;
    }

    private async Task RecoverAsync(CancellationToken cancellationToken)
    {
        var started = Stopwatch.GetTimestamp();
        var recovered = await _log.RecoverAsync(cancellationToken);
        if (recovered.TruncatedTailBytes > 0)
        {
            LogTornTail(_logger, recovered.TruncatedTailBytes);
        }

        _recoveredGroups = recovered.Groups;
        var initial = _topology.InitialMetaMembers();
        var meta = recovered.Groups.GetValueOrDefault(MetaReplica.MetaGroupId);
        Meta.Start(meta, initial, applied => RaftConfigFor(MetaReplica.MetaGroupId, applied));
        if (meta is not null)
        {
            LogGroupRecovered(_logger, MetaReplica.MetaGroupId, meta.LastIndex, meta.Snapshot?.Metadata.Index ?? 0);
        }

        _groups[MetaReplica.MetaGroupId] = Meta;

        // Re-apply what is committed (the meta group's first membership included) before campaigning: a replica with
        // a committed membership change it has not applied does not campaign.
        await HandleReadyAsync();
        PlaceReplicas(Map);
        await HandleReadyAsync();
        if (initial is { Voters.Count: 1 } && initial.Voters[0] == SelfReplicaId)
        {
            // A cluster of one need not wait out an election timeout: it leads, creates its map and its shards at once.
            Meta.Raft.Campaign();
            await HandleReadyAsync();
            if (!Map.IsBootstrapped)
            {
                var bootstrap = _topology.Bootstrap(_options, Guid.NewGuid().ToString("N"));
                Meta.Raft.Propose(MetaStateMachine.Encode(bootstrap));
                await HandleReadyAsync();
            }
        }

        if (_failure is { } failure)
        {
            throw new LogCorruptedException("The log failed while the node recovered.", failure);
        }

        _recovered = true;
        var elapsed = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
        var keys = _shards.Values.Sum(s => (long)s.Read(m => m.Count));
        LogRecovered(_logger, _groups.Count, _shards.Count, keys, elapsed);
    }

    /// <summary>Creates a replica for each shard the map places here that this node does not host yet. Loop only.</summary>
    private void PlaceReplicas(ClusterMap map)
    {
        if (map.IsBootstrapped && !_warnedFactor && map.ReplicationFactor < _options.ReplicationFactor)
        {
            _warnedFactor = true;
            LogFactorCapped(_logger, _options.ReplicationFactor, map.ReplicationFactor, map.Nodes.Count);
        }

        UpdatePeers(map);
        var shards = new Dictionary<int, ShardReplica>(_shards);
        var created = new List<ShardReplica>();
        foreach (var shard in map.Shards)
        {
            if (shards.ContainsKey(shard.Id) || !shard.IsHeldBy(SelfId))
            {
                continue;
            }

            var replica = new ShardReplica(this, shard.Id);
            var members = new ConfState(
                [.. shard.Replicas.Select(ReplicaIds.For).Order()],
                [.. shard.Learners.Select(ReplicaIds.For).Order()],
                []);
            var recovered = _recoveredGroups.GetValueOrDefault(shard.GroupId);
            replica.Start(recovered, members, applied => RaftConfigFor(shard.GroupId, applied));
            if (recovered is not null)
            {
                LogGroupRecovered(_logger, shard.GroupId, recovered.LastIndex, recovered.Snapshot?.Metadata.Index ?? 0);
            }

            _groups[shard.GroupId] = replica;
            shards[shard.Id] = replica;
            created.Add(replica);
            LogReplicaCreated(_logger, shard.Id, shard.Epoch, shard.Replicas);
        }

        if (created.Count == 0)
        {
            return;
        }

        _shards = shards;
        foreach (var replica in created)
        {
            replica.PublishStatus();
            var voters = replica.Raft.Status.ConfState.Voters;
            if (voters.Count == 1 && voters[0] == SelfReplicaId && replica.Raft.Status.SoftState.Role != RaftRole.Leader)
            {
                replica.Raft.Campaign();
            }
        }
    }

    private void UpdatePeers(ClusterMap map) =>
        _peers.SetPeers(PeerUris(map).ToDictionary(p => ReplicaIds.For(p.Key), p => p.Value));

    /// <summary>The peer port of every other node, by node id: the configured members', then the map's (which wins).</summary>
    public IReadOnlyDictionary<string, Uri> PeerUris() => PeerUris(Map);

    /// <summary>The peer port of node <paramref name="nodeId"/>, or null when neither the map nor the configuration names it.</summary>
    public Uri? PeerUriOf(string nodeId) => PeerUris().GetValueOrDefault(nodeId);

    private Dictionary<string, Uri> PeerUris(ClusterMap map)
    {
        var peers = new Dictionary<string, Uri>(StringComparer.Ordinal);
        foreach (var member in _topology.Peers)
        {
            peers[member.NodeId] = member.PeerUri;
        }

        foreach (var node in map.Nodes)
        {
            if (node.Id != SelfId && !string.IsNullOrEmpty(node.PeerAddress))
            {
                peers[node.Id] = new Uri($"http://{node.PeerAddress}");
            }
        }

        return peers;
    }

    private RaftConfig RaftConfigFor(ulong groupId, ulong applied) => new()
    {
        Applied = applied,
        Id = SelfReplicaId,
        ElectionTick = Math.Max(3, _options.ElectionTimeoutMs / _options.HeartbeatIntervalMs),
        HeartbeatTick = 1,
        Random = new Random(unchecked((int)(SelfReplicaId ^ groupId ^ (ulong)Environment.TickCount64))),
    };

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

    [LoggerMessage(EventId = 103, Level = LogLevel.Information, Message = "Snapshot of group {Group} at index {Index} ({Bytes} bytes); the log before it was dropped")]
    private static partial void LogSnapshotTaken(ILogger logger, ulong group, ulong index, int bytes);

    [LoggerMessage(EventId = 104, Level = LogLevel.Error, Message = "Snapshot of group {Group} at index {Index} failed; the log keeps every entry and the next threshold tries again")]
    private static partial void LogSnapshotFailed(ILogger logger, Exception exception, ulong group, ulong index);

    [LoggerMessage(EventId = 105, Level = LogLevel.Information, Message = "Installed a snapshot of group {Group} from the leader at index {Index} ({Bytes} bytes)")]
    private static partial void LogSnapshotInstalled(ILogger logger, ulong group, ulong index, int bytes);

    [LoggerMessage(EventId = 106, Level = LogLevel.Information, Message = "Group {Group} (0 is the meta group, shard i is group i + 1): leader is {Leader} in term {Term}; this replica is {Role}")]
    private static partial void LogLeaderChanged(ILogger logger, ulong group, string? leader, ulong term, string role);

    [LoggerMessage(EventId = 107, Level = LogLevel.Trace, Message = "Group {Group}: received {Type} from {From} in term {Term}")]
    private static partial void LogReceived(ILogger logger, ulong group, MessageType type, ulong from, ulong term);

    [LoggerMessage(EventId = 108, Level = LogLevel.Trace, Message = "Group {Group}: sending {Type} to {To} in term {Term}")]
    private static partial void LogSending(ILogger logger, ulong group, MessageType type, ulong to, ulong term);

    [LoggerMessage(EventId = 109, Level = LogLevel.Debug, Message = "Dropped {Type} from {From} for group {Group}, which this node does not host")]
    private static partial void LogUnknownGroup(ILogger logger, ulong group, MessageType type, ulong from);

    [LoggerMessage(EventId = 112, Level = LogLevel.Information, Message = "Hosting a replica of shard {Shard} (epoch {Epoch}, replicas {Replicas})")]
    private static partial void LogReplicaCreated(ILogger logger, int shard, long epoch, IReadOnlyList<string> replicas);
}
