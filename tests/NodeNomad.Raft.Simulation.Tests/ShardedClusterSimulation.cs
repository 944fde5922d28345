using NodeNomad.Contracts;
using NodeNomad.Core.Cluster;
using NodeNomad.Linearizability;

namespace NodeNomad.Raft.Simulation.Tests;

/// <summary>
/// A deterministic simulation of a whole sharded cluster: five nodes, each hosting a replica of the meta group
/// (group 0, whose state machine is the shard map) and replicas of some shard groups, each driven by one host loop
/// per node (<see cref="ShardedSimulatedNode"/>); a placement driver that moves shard replicas through the groups'
/// logs and records each move (a new epoch) in the meta group; smart clients routing by a cached, possibly stale
/// map; and the single-group simulator's faults at node level. Safety is checked after every step, per group
/// (<see cref="SafetyMonitor"/>), and a node must never answer from a replica that left its shard. At the end the
/// faults stop, every group must converge, every shard must serve a write and a read, and the clients' history,
/// partitioned by key, must be linearizable. The same seed always produces the same run.
/// </summary>
internal sealed partial class ShardedClusterSimulation
{
    /// <summary>Virtual milliseconds of faults and client operations per seed.</summary>
    public const long DefaultFaultPhase = 5_000;

    /// <summary>Stops a run that livelocks without failing an invariant.</summary>
    private const long MaxEvents = 5_000_000;

    /// <summary>Shard replicas' Raft ids start here (the meta group's replicas take their node's id).</summary>
    private const ulong FirstShardPeer = 100;

    private const int Nodes = ShardedSimulationSettings.Nodes;

    private const int ReplicationFactor = ShardedSimulationSettings.ReplicationFactor;

    private readonly EventAgenda _events = new();
    private readonly SortedDictionary<ulong, ShardedSimulatedNode> _nodes = [];
    private readonly Dictionary<ulong, ulong> _nodeOfPeer = [];

    /// <summary>Per group (index 0 is the meta group): its safety monitor, and every replica it ever had.</summary>
    private readonly List<SafetyMonitor> _monitors = [];
    private readonly List<List<ShardedGroupReplica>> _groups = [];

    /// <summary>Where each removed replica's removal sits in its group's log.</summary>
    private readonly Dictionary<(int Group, ulong Peer), ulong> _removedAt = [];
    private readonly HashSet<(int Group, ulong Index)> _appliedChanges = [];

    /// <summary>Every membership change some replica applied (so it is committed), as the placement driver hears of them.</summary>
    private readonly HashSet<(int Group, ConfChangeType Type, ulong Peer)> _committedChanges = [];
    private readonly List<ShardedClient> _clients = [];
    private readonly List<string> _keys = [];
    private readonly SimulatedNetwork _network;
    private readonly FaultCounts _faults = new();
    private ulong _nextPeer;
    private long _convergedAt = -1;
    private long _servedAt = -1;

    /// <param name="seed">Decides everything about the run.</param>
    /// <param name="faultPhase">Virtual milliseconds of faults and client operations.</param>
    /// <param name="fullTrace">Where to write every event, one a line; null keeps only the recent ones.</param>
    public ShardedClusterSimulation(int seed, long faultPhase = DefaultFaultPhase, TextWriter? fullTrace = null)
    {
        Seed = seed;
        Trace = new TraceLog(400, fullTrace);
        Random = new Random(seed);
        Settings = ShardedSimulationSettings.Draw(Random, faultPhase);
        _network = new SimulatedNetwork(Random)
        {
            DropRate = Settings.Raft.DropRate,
            DuplicateRate = Settings.Raft.DuplicateRate,
            MaxDelay = Settings.Raft.MaxDelay,
            SlowRate = Settings.Raft.SlowRate,
        };
        GenesisMap = ShardedMetaState.Genesis(Settings.Shards, Nodes, ReplicationFactor, FirstShardPeer).Placements;
    }

    public int Seed { get; }

    /// <summary>The run's only source of randomness: the network, the nemesis, the driver, the clients and every replica's election timeouts.</summary>
    public Random Random { get; }

    public ShardedSimulationSettings Settings { get; }

    public TraceLog Trace { get; }

    /// <summary>The shard map a new cluster starts from, known to every node and client.</summary>
    public IReadOnlyList<ShardedPlacement> GenesisMap { get; }

    public long Now => _events.Now;

    public long Events => _events.Processed;

    public SafetyMonitor MonitorOf(int group) => _monitors[group];

    /// <summary>The node a replica lives on (replica ids are never reused), or 0 for an id nobody has.</summary>
    public ulong NodeOf(ulong peer) => _nodeOfPeer.GetValueOrDefault(peer);

    /// <summary>The clients' operations so far.</summary>
    public List<Operation<NodeNomadKvInput, NodeNomadKvOutput>> History() =>
        _clients.SelectMany(client => client.Operations.History).ToList();

    public ShardedSimulationResult Run()
    {
        var nodeIds = Enumerable.Range(1, Nodes).Select(id => (ulong)id).ToArray();
        // The meta group has a replica on every node: voters on some (as many as the seed says), learners on the rest.
        var metaVoters = nodeIds.OrderBy(_ => Random.Next()).Take(Settings.Raft.Replicas).Order().ToArray();
        var metaMembers = new ConfState(metaVoters, nodeIds.Except(metaVoters).ToArray(), []);
        for (var group = 0; group <= Settings.Shards; group++)
        {
            _monitors.Add(new SafetyMonitor());
            _groups.Add([]);
        }

        foreach (var id in nodeIds)
        {
            var node = new ShardedSimulatedNode(this, id, Settings.Raft.TickPeriod + Random.Next(-Settings.Raft.ClockDrift, Settings.Raft.ClockDrift + 1));
            _nodes[id] = node;
            _nodeOfPeer[id] = id;
            Host(node, 0, id, metaMembers, Nodes);
        }

        foreach (var placement in GenesisMap)
        {
            var members = ConfState.OfVoters(placement.Replicas.Select(replica => replica.Peer).ToArray());
            foreach (var (node, peer) in placement.Replicas)
            {
                _nodeOfPeer[peer] = node;
                Host(_nodes[node], placement.Shard, peer, members, ReplicationFactor);
            }
        }

        _nextPeer = FirstShardPeer + (ulong)(Settings.Shards * ReplicationFactor);
        foreach (var node in _nodes.Values)
        {
            StartNode(node);
        }

        ChooseKeys();
        for (var i = 0; i < Settings.Clients; i++)
        {
            var client = new ShardedClient(new SimulatedClient(i, 0), GenesisMap);
            _clients.Add(client);
            _events.After(Random.Next(0, 50), () => StartOperation(client));
            ScheduleRefresh(client);
        }

        ScheduleNextFault();
        _nextMoveAt = Random.Next(0, Settings.MoveInterval);
        _events.After(MoveDriverPeriod, DriveMoves);
        _events.At(Settings.FaultPhase, Heal);

        var deadline = Settings.FaultPhase + Settings.Raft.LivenessBound;
        while (_servedAt < 0 && _events.RunNext(deadline))
        {
            if (_events.Processed > MaxEvents)
            {
                throw new InvariantViolationException($"The run did not settle within {MaxEvents} events (at t={Now} ms).");
            }
        }

        if (_convergedAt < 0)
        {
            throw new LivenessException(
                $"Liveness: {Settings.Raft.LivenessBound} ms after every fault healed (at t={Settings.FaultPhase} ms), the cluster has not converged: {Laggards()}.");
        }

        if (_servedAt < 0)
        {
            throw new LivenessException(
                $"Liveness: the cluster converged at t={_convergedAt} ms, but by t={Now} ms not every shard had served a write and a read: {ProbesWaiting()}.");
        }

        var history = History();
        var check = LinearizabilityChecker.Check(new NodeNomadKvModel(), history, TimeSpan.FromSeconds(30));
        return new ShardedSimulationResult(
            Seed,
            Settings,
            Trace.Hash,
            _events.Processed,
            Now,
            _convergedAt - Settings.FaultPhase,
            _monitors.Sum(monitor => monitor.Leaders),
            _monitors.Aggregate(0UL, (sum, monitor) => sum + monitor.MaxApplied),
            _faults,
            _movesDone,
            _answers[(int)ShardedAnswerKind.StaleEpoch],
            _answers[(int)ShardedAnswerKind.NotHosting],
            _clients.Sum(client => client.Operations.Completed),
            _clients.Sum(client => client.Operations.Unknown),
            history,
            check);
    }

    /// <summary>Where every node and replica stands, for failure reports.</summary>
    public string DescribeNodes()
    {
        var lines = new List<string>();
        foreach (var node in _nodes.Values)
        {
            lines.Add($"  node {node.Id}: {(node.IsUp ? "up" : "down")}{(node.PausedUntil > Now ? $", paused until {node.PausedUntil}" : "")}");
            foreach (var replica in node.Replicas)
            {
                lines.Add(replica.Node is { } raft
                    ? $"    group {replica.Group} replica {replica.Peer}: {Describe(raft.Status)}, applied {replica.Applied}"
                    : $"    group {replica.Group} replica {replica.Peer}: down (persisted term {replica.Disk.HardState.Term}, log ({replica.Disk.SnapshotIndex}, {replica.Disk.LastIndex}])");
            }
        }

        if (CurrentLeader(0) is { Meta: { } meta })
        {
            lines.Add("  meta leader's map: " + string.Join("; ", meta.Placements));
        }

        lines.Add($"  move: {_move?.ToString() ?? "none"}");
        lines.Add($"  network: {_network.Describe()}");
        return string.Join(Environment.NewLine, lines);
    }

    /// <summary>
    /// The invariant of routing: a node answers a key only from a replica of the shard that owns the key, and only
    /// with what that replica had applied before its removal from the shard's group (a replica that has left
    /// answers nobody, whatever epoch the client routed by).
    /// </summary>
    public void Answering(ShardedGroupReplica replica, string key, ulong index)
    {
        ArgumentNullException.ThrowIfNull(replica);
        var range = GenesisMap[replica.Group - 1].Range;
        if (!range.Contains(KeyPosition.Of(key)))
        {
            throw new InvariantViolationException($"node {replica.Host.Id} answered key {key} from its replica {replica.Peer} of shard {replica.Group}, which does not own the key.");
        }

        if (replica.IsDestroyed)
        {
            throw new InvariantViolationException($"node {replica.Host.Id} answered key {key} from its replica {replica.Peer} of shard {replica.Group}, which it had deleted.");
        }

        if (_removedAt.TryGetValue((replica.Group, replica.Peer), out var removedAt) && index >= removedAt)
        {
            throw new InvariantViolationException(
                $"node {replica.Host.Id} answered key {key} from its replica {replica.Peer} of shard {replica.Group} at index {index}, but that replica was removed from the shard's group at index {removedAt}.");
        }
    }

    private ShardedGroupReplica Host(ShardedSimulatedNode node, int group, ulong peer, ConfState? members, int foundingMembers)
    {
        var replica = new ShardedGroupReplica(this, node, group, peer, members, foundingMembers);
        _groups[group].Add(replica);
        node.Host(replica);
        return replica;
    }

    /// <summary>The clients' keys: the first names (k0, k1, ...) that give every shard as many keys as the settings ask.</summary>
    private void ChooseKeys()
    {
        var perShard = new int[Settings.Shards + 1];
        for (var i = 0; _keys.Count < Settings.Shards * Settings.KeysPerShard; i++)
        {
            var key = "k" + i.ToString(System.Globalization.CultureInfo.InvariantCulture);
            var shard = ShardedMetaState.ShardOf(GenesisMap, KeyPosition.Of(key)).Shard;
            if (perShard[shard] < Settings.KeysPerShard)
            {
                perShard[shard]++;
                _keys.Add(key);
            }
        }
    }

    private void StartNode(ShardedSimulatedNode node)
    {
        node.Start();
        ScheduleTick(node, node.Incarnation);
        AfterInput(node);
    }

    /// <summary>Ticks every group of the node at its own period; a frozen node misses its ticks.</summary>
    private void ScheduleTick(ShardedSimulatedNode node, int incarnation) =>
        _events.At(Math.Max(Now + node.TickPeriod, node.PausedUntil), () =>
        {
            if (node.Incarnation != incarnation || !node.IsUp)
            {
                return;
            }

            Trace.Add(Now, "tick", node.Id);
            node.Tick();
            AfterInput(node);
            ScheduleTick(node, incarnation);
        });

    /// <summary>Runs an input to <paramref name="node"/> now, or when it thaws if it is frozen.</summary>
    private void OnNode(ShardedSimulatedNode node, Action input)
    {
        if (Now < node.PausedUntil)
        {
            _events.At(node.PausedUntil, () => OnNode(node, input));
            return;
        }

        input();
    }

    /// <summary>After any input to a node: its host loop runs now, or a moment later (so work batches up and a crash can catch it unpersisted).</summary>
    private void AfterInput(ShardedSimulatedNode node)
    {
        if (!node.IsUp)
        {
            return;
        }

        if (!node.ReadyScheduled)
        {
            if (Random.NextDouble() < Settings.Raft.LateReadyRate)
            {
                node.ReadyScheduled = true;
                var incarnation = node.Incarnation;
                _events.After(Random.Next(0, 4), () => OnNode(node, () =>
                {
                    if (node.Incarnation == incarnation && node.IsUp)
                    {
                        node.HandleReadies();
                        Observe(node);
                    }
                }));
            }
            else
            {
                node.HandleReadies();
            }
        }

        Observe(node);
    }

    /// <summary>Checks every replica of the node that may have changed since the last check (the others did not move).</summary>
    private void Observe(ShardedSimulatedNode node)
    {
        foreach (var replica in node.TakeChanged())
        {
            _monitors[replica.Group].Observe(replica.Peer, replica.Node!.Status);
        }
    }

    /// <summary>The live replica leading <paramref name="group"/> in the highest term, if any.</summary>
    private ShardedGroupReplica? CurrentLeader(int group)
    {
        ShardedGroupReplica? leader = null;
        var leaderTerm = 0UL;
        foreach (var replica in _groups[group])
        {
            if (replica.Node is { } node && node.Status is { SoftState.Role: RaftRole.Leader } status && status.HardState.Term >= leaderTerm)
            {
                leader = replica;
                leaderTerm = status.HardState.Term;
            }
        }

        return leader;
    }

    private ShardedGroupReplica? ReplicaOf(int group, ulong peer) =>
        _groups[group].FirstOrDefault(replica => replica.Peer == peer && !replica.IsDestroyed);

    private static string Describe(RaftStatus status) =>
        $"{status.SoftState.Role} of term {status.HardState.Term} (vote {status.HardState.Vote}, leader {status.SoftState.Leader}), commit {status.HardState.Commit}, last index {status.LastIndex}, " +
        $"voters [{string.Join(",", status.ConfState.Voters)}] learners [{string.Join(",", status.ConfState.Learners)}]";
}
