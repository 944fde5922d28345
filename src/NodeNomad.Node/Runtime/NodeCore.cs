using NodeNomad.Core.Cluster;
using NodeNomad.Raft;
using NodeNomad.Storage;

namespace NodeNomad.Node.Runtime;

/// <summary>
/// The deterministic core of a node: it owns every Raft group the node hosts (the meta group and a replica of each
/// shard the applied map places here) and advances in turns. Inputs — peer messages, ticks, proposals, reads,
/// transport feedback, save and compaction results — go in through its methods; a turn gathers every group's Ready
/// into <see cref="TurnPlan"/>: ONE durable batch for all groups and the messages that may leave before it. After
/// the save, <see cref="Persisted"/> lets each group send, apply, answer and advance, in the order Raft requires,
/// and <see cref="TakeOutput"/> hands over the messages, answers, events and compactions. It has no threads, no
/// <c>await</c>, and no clock or randomness of its own: time comes from <see cref="SetTime"/>, randomness from the
/// seed in its settings. The node's shell (<c>ReplicaHost</c>) and the simulator drive this same class.
/// Not thread-safe: one caller at a time.
/// </summary>
public sealed class NodeCore
{
    private readonly NodeCoreSettings _settings;
    private readonly ReplicaContext _context;
    private readonly TimeProvider _telemetryClock;
    private readonly SortedDictionary<ulong, GroupReplica> _groups = [];
    private readonly List<(GroupReplica Group, Ready Ready, bool Sent)> _readied = [];
    private readonly List<Compaction> _compactions = [];
    private readonly Random _random;
    private readonly MigrationDriver _migrations;
    private readonly PlacementDriver _placement;
    private readonly RebalancerDriver _rebalancer;
    private readonly List<ulong> _dropped = [];
    private IReadOnlyDictionary<ulong, RecoveredGroup> _recovered = new Dictionary<ulong, RecoveredGroup>();
    private volatile IReadOnlyDictionary<int, ShardReplica> _shards = new Dictionary<int, ShardReplica>();
    private bool _mapChanged;
    private ulong _metaReplayTo;
    private int _turnEntries;
    private long _turnBytes;

    /// <summary>Creates the core of node <see cref="NodeCoreSettings.SelfId"/>; <see cref="Recover"/> comes next.</summary>
    public NodeCore(NodeCoreSettings settings, PeerAddressBook addresses, CommandClock commandClock, TimeProvider telemetryClock)
    {
        ArgumentNullException.ThrowIfNull(settings);
        _settings = settings;
        _telemetryClock = telemetryClock;
        _random = new Random(settings.Seed);
        _context = new ReplicaContext(ReplicaIds.For(settings.SelfId), settings.Incarnation, addresses, commandClock, settings.Flaw);
        Meta = new MetaReplica(_context);
        _migrations = new MigrationDriver(_context, settings);
        _placement = new PlacementDriver(_context, settings);
        _rebalancer = new RebalancerDriver(_context, settings);
    }

    /// <summary>This node's member of the meta group.</summary>
    public MetaReplica Meta { get; }

    /// <summary>The cluster map this node last applied.</summary>
    public ClusterMap Map => Meta.Map;

    /// <summary>This node's shard replicas, by shard id (a new dictionary each time one is added: safe to read anywhere).</summary>
    public IReadOnlyDictionary<int, ShardReplica> Shards => _shards;

    /// <summary>This node's id.</summary>
    public string SelfId => _settings.SelfId;

    /// <summary>Whose replica id is whose, and where every peer is.</summary>
    public PeerAddressBook Addresses => _context.Addresses;

    /// <summary>This node's replica id: in the meta group and in the shard groups it founded.</summary>
    public ulong SelfReplicaId => _context.SelfReplicaId;

    /// <summary>Entries made durable since the core started.</summary>
    public long PersistedEntries { get; private set; }

    /// <summary>About how many bytes of entries this node has made durable since it started (what <see cref="PersistedEntries"/> take).</summary>
    public long PersistedBytes { get; private set; }

    /// <summary>Why the core stopped serving (its log failed, or the node stops), or null while it serves.</summary>
    public string? Stopped { get; private set; }

    /// <summary>Every group hosted here, by id.</summary>
    public IEnumerable<GroupReplica> Groups => _groups.Values;

    /// <summary>
    /// The core's time, Unix milliseconds (the node's command clock): what a leader stamps the reads it confirms
    /// with, so expiry is judged at a time the leader vouches for, and what the core reports (since when a group is
    /// leaderless). Elections and heartbeats never use it: they run on ticks.
    /// </summary>
    public void SetTime(long unixMilliseconds)
    {
        _context.Now = unixMilliseconds;
        foreach (var group in _groups.Values)
        {
            group.Raft.ObserveTime(unixMilliseconds);
        }
    }

    /// <summary>
    /// Creates the meta group from what the log recovered (or, for a new node, from <paramref name="initialMeta"/>),
    /// and keeps the shard groups' recovered state for when the applied map places them. The shell then runs turns
    /// until none is due, so that what is committed is re-applied before anyone campaigns, and calls
    /// <see cref="PlaceReplicas"/>.
    /// </summary>
    public void Recover(RecoveredLog log, ConfState? initialMeta)
    {
        ArgumentNullException.ThrowIfNull(log);
        _recovered = log.Groups;
        var meta = log.Groups.GetValueOrDefault(MetaReplica.MetaGroupId);
        _metaReplayTo = meta?.LastIndex ?? 0;
        Meta.Start(meta, initialMeta, applied => RaftConfig(MetaReplica.MetaGroupId, SelfReplicaId, applied));
        if (meta is not null)
        {
            _context.Events.Add(new GroupRecovered(MetaReplica.MetaGroupId, meta.LastIndex, meta.Snapshot?.Metadata.Index ?? 0));
        }

        _groups[MetaReplica.MetaGroupId] = Meta;
        Meta.Raft.ObserveTime(_context.Now);
        Meta.PublishStatus();
    }

    /// <summary>Starts an election in <paramref name="groupId"/> now (a cluster of one need not wait out a timeout).</summary>
    public void Campaign(ulong groupId)
    {
        if (Stopped is null && _groups.TryGetValue(groupId, out var group) && group.Raft.Role != RaftRole.Leader)
        {
            group.Raft.Campaign();
        }
    }

    /// <summary>
    /// Asks this node's replica of <paramref name="groupId"/>, if it leads, to hand leadership to
    /// <paramref name="transferee"/> (Raft leadership transfer): a replica about to be removed passes leadership on
    /// first, so the group never waits on a leader that has left.
    /// </summary>
    public void TransferLeadership(ulong groupId, ulong transferee)
    {
        if (Stopped is null && _groups.TryGetValue(groupId, out var group) && group.Raft.Role == RaftRole.Leader)
        {
            group.Raft.TransferLeadership(transferee);
        }
    }

    /// <summary>A heartbeat tick: every group ticks.</summary>
    public void Tick()
    {
        if (Stopped is not null)
        {
            return;
        }

        foreach (var group in _groups.Values)
        {
            group.Raft.Tick();
        }

        _migrations.Tick(Meta, _shards);
        _placement.Tick(Meta, _shards, _rebalancer.Leaders());
        _rebalancer.Tick(Meta, _shards);
    }

    /// <summary>
    /// The load of every node and replica, as the shell gathered it from the nodes' reports (or the simulator made it
    /// up): the rebalancer decides by it while this node leads the meta group.
    /// </summary>
    public void ObserveLoad(RebalancerLoad load) => _rebalancer.Observe(load);

    /// <summary>The rebalancer's decisions while this node leads the meta group, newest first (safe to read anywhere).</summary>
    public IReadOnlyList<RebalancerDecision> RebalancerDecisions => _rebalancer.Decisions;

    /// <summary>The smoothed load the rebalancer decides by while this node leads the meta group (safe to read anywhere).</summary>
    public RebalancerLoad RebalancerLoad => _rebalancer.Load;

    /// <summary>A message from a peer for group <paramref name="groupId"/>.</summary>
    public void Step(ulong groupId, Message message)
    {
        ArgumentNullException.ThrowIfNull(message);
        if (Stopped is not null)
        {
            return;
        }

        if (_groups.TryGetValue(groupId, out var group) && group.SelfReplicaId == message.To)
        {
            group.Raft.Step(message);
        }
        else
        {
            // A group the applied map does not place here (yet), or a message for this node's earlier membership of a
            // group it has left and joined again: Raft retransmits, so dropping is safe.
            _context.Events.Add(new UnknownGroup(groupId, message.Type, message.From));
        }
    }

    /// <summary>The transport could not reach <paramref name="replicaId"/> for <paramref name="groupId"/>.</summary>
    public void ReportUnreachable(ulong groupId, ulong replicaId)
    {
        if (Stopped is null && _groups.TryGetValue(groupId, out var group))
        {
            group.Raft.ReportUnreachable(replicaId);
        }
    }

    /// <summary>A snapshot of <paramref name="groupId"/> sent to <paramref name="replicaId"/> arrived or failed.</summary>
    public void ReportSnapshot(ulong groupId, ulong replicaId, bool succeeded)
    {
        if (Stopped is null && _groups.TryGetValue(groupId, out var group))
        {
            group.Raft.ReportSnapshot(replicaId, succeeded);
        }
    }

    /// <summary>
    /// Proposes an encoded command (or, with <paramref name="change"/>, a membership change) to group
    /// <paramref name="groupId"/>. The outcome arrives as a completion of <paramref name="ticket"/>.
    /// </summary>
    public void Propose(long ticket, ulong groupId, byte[]? command, ConfChange? change = null)
    {
        if (Refuses(ticket, groupId) is { } group)
        {
            group.Propose(ticket, command, change);
        }
    }

    /// <summary>Starts a linearizable read of group <paramref name="groupId"/>; it completes once confirmed and applied.</summary>
    public void Read(long ticket, ulong groupId)
    {
        if (Refuses(ticket, groupId) is { } group)
        {
            group.Read(ticket);
        }
    }

    private GroupReplica? Refuses(long ticket, ulong groupId)
    {
        if (Stopped is { } reason)
        {
            _context.Complete(ticket, Outcome.Unavailable(reason));
            return null;
        }

        if (!_groups.TryGetValue(groupId, out var group))
        {
            _context.Complete(ticket, Outcome.Unavailable(GroupReplica.NotHeldReason));
            return null;
        }

        return group;
    }

    /// <summary>
    /// The first half of a turn: every group's Ready, their durable parts gathered into one batch. Null when no group
    /// has anything to do. The shell must call <see cref="Persisted"/> (or <see cref="SaveFailed"/>) before the next.
    /// </summary>
    public TurnPlan? Prepare()
    {
        if (Stopped is not null || _readied.Count > 0)
        {
            return null;
        }

        var sendNow = new List<Outbound>();
        foreach (var group in _groups.Values)
        {
            group.ConfirmReads();
            if (!group.Raft.HasReady())
            {
                continue;
            }

            var ready = group.Raft.Ready();
            var sent = group.SendsBeforePersisting;
            if (sent)
            {
                group.SendMessages(ready, sendNow);
            }

            if (_settings.Flaw == CoreFlaw.LeaderCountsItselfBeforeSave && group.Raft.Role == RaftRole.Leader)
            {
                group.ApplyEarly(ready);
            }

            _readied.Add((group, ready, sent));
        }

        if (_readied.Count == 0 && _dropped.Count == 0)
        {
            return null;
        }

        var writes = new List<GroupWrite>();
        _turnEntries = 0;
        _turnBytes = 0;
        foreach (var (group, ready, _) in _readied)
        {
            if (group.DurableWrite(ready, PersistedEntries, PersistedBytes) is { } write)
            {
                writes.Add(write);
                _turnEntries += write.Entries.Count;
                _turnBytes += GroupReplica.LogBytes(write.Entries);
            }
        }

        var dropped = _dropped.ToList();
        _dropped.Clear();
        return new TurnPlan(writes.Count > 0 || dropped.Count > 0 ? new LogBatch(writes) { Dropped = dropped } : null, _turnEntries, sendNow);
    }

    /// <summary>
    /// The second half of a turn: the plan's batch is durable. Each group sends what had to wait, installs, applies,
    /// answers and advances; replicas the newly applied map places here are created; due snapshots are asked for.
    /// </summary>
    public void Persisted()
    {
        if (Stopped is not null)
        {
            _readied.Clear();
            return;
        }

        PersistedEntries += _turnEntries;
        PersistedBytes += _turnBytes;
        _turnEntries = 0;
        _turnBytes = 0;
        foreach (var (group, ready, sent) in _readied)
        {
            group.Persisted();
            if (group.Complete(ready, sent) && group == Meta)
            {
                _mapChanged = true;
            }
        }

        _readied.Clear();
        if (_mapChanged)
        {
            _mapChanged = false;
            PlaceReplicas();
        }

        // Every group, the quiet ones included: they may be the ones keeping old log segments.
        foreach (var group in _groups.Values)
        {
            if (group.DueCompaction(_settings.SnapshotEntries, PersistedEntries, PersistedBytes, _settings.PinLimit) is { } compaction)
            {
                _compactions.Add(compaction);
            }
        }
    }

    /// <summary>
    /// The plan's batch may or may not have reached the disk. Raft must never send or acknowledge what it may have
    /// forgotten, so every group stops and every waiting caller is answered; a restart recovers the log and settles it.
    /// </summary>
    public void SaveFailed(string reason) => Stop(reason);

    /// <summary>Stops serving: every waiting proposal and read is answered with <paramref name="reason"/>.</summary>
    public void Stop(string reason)
    {
        if (Stopped is not null)
        {
            return;
        }

        Stopped = reason;
        _readied.Clear();
        _compactions.Clear();
        foreach (var group in _groups.Values)
        {
            group.FailPending(reason);
        }
    }

    /// <summary>The key in the log of this node's replica of group <paramref name="groupId"/>, or null when it hosts none.</summary>
    public ulong? LogKeyOf(ulong groupId) => _groups.TryGetValue(groupId, out var group) ? group.LogKey : null;

    /// <summary>
    /// The shell stored a snapshot <see cref="TakeOutput"/> asked for, as <paramref name="stored"/> (whose data the group
    /// reads from now on, to send it), or failed to (null).
    /// </summary>
    /// <returns>Whether the group took it: false when the group is gone (or recreated) since it asked.</returns>
    public bool Compacted(Compaction compaction, Snapshot? stored)
    {
        ArgumentNullException.ThrowIfNull(compaction);
        if (_groups.TryGetValue(compaction.GroupId, out var group) && group.LogKey == compaction.LogKey)
        {
            group.Compacted(compaction.Metadata, stored, PersistedEntries, PersistedBytes);
            return true;
        }

        return false;
    }

    /// <summary>Everything produced since the last call: messages, answers to callers, events, snapshots to store.</summary>
    public TurnOutput TakeOutput()
    {
        var output = new TurnOutput([.. _context.Sends], [.. _context.Completions], [.. _context.Events], [.. _compactions])
        {
            ForMeta = [.. _migrations.ForMeta],
        };
        _migrations.ForMeta.Clear();
        _context.Sends.Clear();
        _context.Completions.Clear();
        _context.Events.Clear();
        _compactions.Clear();
        return output;
    }

    /// <summary>Creates a replica for each shard the applied map places here that this node does not host yet.</summary>
    public void PlaceReplicas()
    {
        var map = Map;
        _context.Addresses.Update(map);
        _context.Events.Add(new MapApplied(map));
        DropDeparted(map);
        var missing = ReplicaPlacement.Missing(map, SelfId, _shards.ContainsKey);
        if (missing.Count == 0)
        {
            return;
        }

        var shards = new Dictionary<int, ShardReplica>(_shards);
        foreach (var (shard, initialMembers) in missing)
        {
            var replica = new ShardReplica(_context, shard.Id, shard.IncarnationOf(SelfId), SelfId, _telemetryClock);
            var recovered = _recovered.GetValueOrDefault(replica.LogKey);
            if (recovered is null && Meta.Applied < _metaReplayTo)
            {
                // The map may be older than one this node applied before it stopped (see DropDeparted): a replica the log
                // does not hold may be one that moved away and was dropped since, and created empty now it would found
                // its group again, or vote, on a membership long gone. It is created once the map is as new as the log.
                continue;
            }

            replica.Start(recovered, initialMembers, applied => RaftConfig(shard.GroupId, replica.SelfReplicaId, applied));
            if (recovered is not null)
            {
                _context.Events.Add(new GroupRecovered(shard.GroupId, recovered.LastIndex, recovered.Snapshot?.Metadata.Index ?? 0));
            }

            replica.Raft.ObserveTime(_context.Now);
            _groups[shard.GroupId] = replica;
            shards[shard.Id] = replica;
            _context.Events.Add(new ReplicaCreated(shard.Id, shard.Epoch, shard.Replicas, initialMembers is not null));
            replica.PublishStatus();
            var voters = replica.Raft.Status.ConfState.Voters;
            if (voters.Count == 1 && voters[0] == replica.SelfReplicaId)
            {
                replica.Raft.Campaign();
            }
        }

        _shards = shards;
    }

    /// <summary>
    /// Deletes the replicas of shards the applied map no longer places here (a migration moved them away, or cancelled
    /// the one this node was to receive), and the recovered state of any such shard, and drops their groups from the
    /// log in the next save. The map names a node out of a shard only once its replica has left the shard's group, so
    /// nothing the group needs is lost; a replica placed here again later starts empty.
    /// </summary>
    private void DropDeparted(ClusterMap map)
    {
        // Until the meta group has applied past everything its log recovered, the map may be older than one this node
        // applied before it stopped (a commit index is made durable lazily), and a replica recovered from the log
        // may belong to that later map: nothing is dropped before then.
        if (!map.IsBootstrapped || Meta.Applied < _metaReplayTo)
        {
            return;
        }

        var departed = _shards.Values.Where(s => !Places(map, s.ShardId, s.Incarnation)).ToList();
        var shards = departed.Count > 0 ? new Dictionary<int, ShardReplica>(_shards) : null;
        foreach (var replica in departed)
        {
            replica.FailPending(GroupReplica.DroppedReason);
            _groups.Remove(replica.GroupId);
            shards!.Remove(replica.ShardId);
            _dropped.Add(replica.LogKey);
            _context.Events.Add(new ReplicaDropped(replica.ShardId, map.Shard(replica.ShardId)?.Epoch ?? 0));
        }

        if (shards is not null)
        {
            _shards = shards;
        }

        var hosted = _groups.Values.Select(g => g.LogKey).ToHashSet();
        var stale = _recovered.Keys.Where(key => key != MetaReplica.MetaGroupId && !hosted.Contains(key)
            && (ReplicaIds.OfLogKey(key) is var (groupId, incarnation))
            && (ShardRecord.ShardOf(groupId) is not { } shardId || !Places(map, shardId, incarnation))).ToList();
        if (stale.Count > 0)
        {
            _dropped.AddRange(stale);
            _recovered = _recovered.Where(g => !stale.Contains(g.Key)).ToDictionary(g => g.Key, g => g.Value);
        }
    }

    /// <summary>Whether <paramref name="map"/> places this node's member of incarnation <paramref name="incarnation"/> in shard <paramref name="shardId"/>.</summary>
    private bool Places(ClusterMap map, int shardId, long incarnation) =>
        map.Shard(shardId) is { } shard && shard.IsHeldBy(SelfId) && shard.IncarnationOf(SelfId) == incarnation;

    private RaftConfig RaftConfig(ulong groupId, ulong replicaId, ulong applied) => new()
    {
        Applied = applied,
        Id = replicaId,
        ElectionTick = _settings.ElectionTick,
        HeartbeatTick = _settings.HeartbeatTick,
        ReadOnly = _settings.Reads,
        Random = new Random(_random.Next() ^ (int)groupId),
    };
}
