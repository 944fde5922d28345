using NodeNomad.Contracts;
using NodeNomad.Contracts.Fleet;

namespace NodeNomad.Console.Fleet;

/// <summary>
/// What the console knows of the fleet: the nodes' own reports (pushed to the hub), the cluster's membership and
/// shard map (polled), and the events. A node known from either side stays listed: one that goes silent is shown
/// down, not forgotten. Thread-safe; every change publishes a new <see cref="Current"/> and raises <see cref="Changed"/>.
/// </summary>
public sealed class FleetState(TimeProvider clock)
{
    /// <summary>A node whose last report is older than this is shown down.</summary>
    public static readonly TimeSpan SilenceLimit = TimeSpan.FromSeconds(3);

    /// <summary>The same event (kind, subject, shard) seen again within this window is one event told by several nodes.</summary>
    public static readonly TimeSpan DuplicateWindow = TimeSpan.FromSeconds(5);

    /// <summary>Load samples kept: ten minutes at one a second.</summary>
    public const int HistoryLength = 600;

    /// <summary>Load samples kept per shard: five minutes at one poll a second.</summary>
    public const int ShardHistoryLength = 300;

    /// <summary>Epochs remembered per shard.</summary>
    public const int EpochHistoryLength = 50;

    /// <summary>Events kept.</summary>
    public const int EventCapacity = 500;

    /// <summary>Who reports what the console noticed by itself.</summary>
    public const string ConsoleSource = "console";

    private readonly Lock _gate = new();
    private readonly SortedDictionary<string, Entry> _nodes = new(StringComparer.Ordinal);
    // Newest first by the time each event happened, whichever node told it and whenever it arrived.
    private readonly List<FleetEvent> _events = [];
    private readonly Queue<LoadSample> _history = new();
    private readonly Dictionary<int, ShardTrack> _shardTracks = [];
    // How many of each migration's recorded steps are told as events already.
    private readonly Dictionary<string, int> _stepsTold = new(StringComparer.Ordinal);
    private IReadOnlyList<ShardInfo> _shards = [];
    private bool _membershipSeen;

    /// <summary>The fleet now.</summary>
    public FleetSnapshot Current { get; private set; } = FleetSnapshot.Empty;

    /// <summary>Raised after every change, on the thread that made it.</summary>
    public event Action? Changed;

    /// <summary>Takes a node's status report.</summary>
    public void ReportStatus(NodeStatusReport report)
    {
        ArgumentNullException.ThrowIfNull(report);
        Update(now =>
        {
            var entry = EntryFor(report.NodeId);
            if (entry.ShownDown)
            {
                AddEvent(new FleetEvent(FleetEventKinds.NodeBack, ConsoleSource, report.NodeId, $"{report.NodeId} reports again.", now));
            }

            entry.Report = report;
            entry.ReportedAt = now;
            entry.ShownDown = false;
            if (report.ClientUrl.Length > 0)
            {
                entry.ClientUrl = report.ClientUrl;
            }
        });
    }

    /// <summary>Takes an event a node reported.</summary>
    public void ReportEvent(FleetEvent fleetEvent)
    {
        ArgumentNullException.ThrowIfNull(fleetEvent);
        Update(_ => AddEvent(fleetEvent));
    }

    /// <summary>Takes the cluster's membership, as <c>cluster/nodes</c> lists it.</summary>
    public void ApplyMembership(IReadOnlyList<NodeInfo> nodes)
    {
        ArgumentNullException.ThrowIfNull(nodes);
        Update(now =>
        {
            foreach (var node in nodes)
            {
                var entry = EntryFor(node.Id);
                if (entry.Member is null && _membershipSeen)
                {
                    AddEvent(new FleetEvent(FleetEventKinds.NodeJoined, ConsoleSource, node.Id, $"{node.Id} joined the cluster.", now));
                }

                entry.Member = node;
                entry.DrainFrom = node.Membership == NodeMemberships.Draining ? Math.Max(entry.DrainFrom ?? 0, Held(node)) : null;
                if (node.ClientUrl.Length > 0)
                {
                    entry.ClientUrl = node.ClientUrl;
                }
            }

            _membershipSeen = true;
        });
    }

    /// <summary>Takes the shard map, as <c>cluster/shards</c> lists it.</summary>
    public void ApplyShards(IReadOnlyList<ShardInfo> shards)
    {
        ArgumentNullException.ThrowIfNull(shards);
        Update(now =>
        {
            _shards = [.. shards.OrderBy(s => s.Id)];
            foreach (var nodeId in shards.SelectMany(s => s.Replicas).Select(r => r.NodeId))
            {
                EntryFor(nodeId);
            }

            foreach (var shard in _shards)
            {
                if (!_shardTracks.TryGetValue(shard.Id, out var track))
                {
                    track = new ShardTrack();
                    _shardTracks[shard.Id] = track;
                }

                track.Observe(shard, now);
            }
        });
    }

    /// <summary>
    /// Takes the cluster's migrations, as <c>cluster/migrations</c> lists them: every step a migration recorded since the
    /// last look is an event, at the time the step was recorded, so a step that came and went between two looks is told too.
    /// </summary>
    public void ApplyMigrations(IReadOnlyList<MigrationInfo> migrations)
    {
        ArgumentNullException.ThrowIfNull(migrations);
        Update(_ =>
        {
            foreach (var migration in migrations)
            {
                var told = _stepsTold.GetValueOrDefault(migration.Id);
                foreach (var step in migration.Steps.Skip(told))
                {
                    // Each step is told once by construction: the duplicate check, meant for one event told by several nodes,
                    // would merge a move's quick steps.
                    InsertEvent(new FleetEvent(FleetEventKinds.MigrationStep, ConsoleSource, migration.TargetNodeId, StepMessage(migration, step), step.At, migration.ShardId));
                }

                _stepsTold[migration.Id] = Math.Max(told, migration.Steps.Count);
            }

            // The cluster keeps a bounded history: a migration it no longer lists is never listed again.
            foreach (var gone in _stepsTold.Keys.Where(id => migrations.All(m => m.Id != id)).ToList())
            {
                _stepsTold.Remove(gone);
            }
        });
    }

    /// <summary>Once a second: marks silent nodes down and samples the cluster's load.</summary>
    public void Tick() => Update(now =>
    {
        foreach (var (id, entry) in _nodes)
        {
            if (entry.ReportedAt is { } at && now - at > SilenceLimit && !entry.ShownDown)
            {
                entry.ShownDown = true;
                AddEvent(new FleetEvent(FleetEventKinds.NodeUnreachable, ConsoleSource, id,
                    $"{id} has not reported for {SilenceLimit.TotalSeconds:0} s.", now));
            }
        }

        var reporting = _nodes.Where(pair => pair.Value.Report is not null && !pair.Value.ShownDown)
            .ToDictionary(pair => pair.Key, pair => pair.Value.Report!.Load, StringComparer.Ordinal);
        var loads = reporting.Values.ToList();
        _history.Enqueue(new LoadSample(now, loads.Sum(l => l.ReadsPerSecond), loads.Sum(l => l.WritesPerSecond),
            loads.Count == 0 ? 0 : loads.Max(l => l.WriteLatencyP99Milliseconds))
        {
            Nodes = reporting.ToDictionary(pair => pair.Key, pair => new NodeLoad(pair.Value.ReadsPerSecond, pair.Value.WritesPerSecond, pair.Value.WriteLatencyP99Milliseconds), StringComparer.Ordinal),
        });
        while (_history.Count > HistoryLength)
        {
            _history.Dequeue();
        }
    });

    private void Update(Action<DateTimeOffset> change)
    {
        lock (_gate)
        {
            var now = clock.GetUtcNow();
            change(now);
            Current = Build(now);
        }

        Changed?.Invoke();
    }

    private Entry EntryFor(string nodeId)
    {
        if (!_nodes.TryGetValue(nodeId, out var entry))
        {
            entry = new Entry();
            _nodes[nodeId] = entry;
        }

        return entry;
    }

    private void AddEvent(FleetEvent fleetEvent)
    {
        var repeated = _events.Any(e => e.Kind == fleetEvent.Kind && e.Subject == fleetEvent.Subject && e.ShardId == fleetEvent.ShardId
            && (fleetEvent.At - e.At).Duration() < DuplicateWindow);
        if (repeated)
        {
            return;
        }

        InsertEvent(fleetEvent);
    }

    // "m-1: shard-0 from node-2 to node-4: catching-up (node-4 is a learner of the group)."
    private static string StepMessage(MigrationInfo migration, MigrationStepInfo step) =>
        $"{migration.Id}: {migration.Shard} from {migration.SourceNodeId} to {migration.TargetNodeId}: {step.State}"
        + (step.Detail is { Length: > 0 } detail ? $" ({detail})." : ".");

    private void InsertEvent(FleetEvent fleetEvent)
    {
        // Nodes report in batches and at their own pace: an event goes where its time puts it, not where it arrived.
        var index = 0;
        while (index < _events.Count && _events[index].At > fleetEvent.At)
        {
            index++;
        }

        _events.Insert(index, fleetEvent);
        if (_events.Count > EventCapacity)
        {
            _events.RemoveAt(_events.Count - 1);
        }
    }

    private FleetSnapshot Build(DateTimeOffset now)
    {
        var nodes = _nodes.Select(pair => View(pair.Key, pair.Value, now)).ToList();
        var up = nodes.Where(n => n.IsUp).Select(n => n.Id).ToHashSet(StringComparer.Ordinal);
        var shards = _shards.Select(s => new ShardView(s, HealthOf(s, up), ReplicasOf(s, up),
            _shardTracks.TryGetValue(s.Id, out var track) ? [.. track.Epochs] : [], track is null ? [] : [.. track.Load])).ToList();
        return new FleetSnapshot(nodes, shards, [.. _events], [.. _history], now);
    }

    private static NodeView View(string id, Entry entry, DateTimeOffset now)
    {
        var fresh = entry.ReportedAt is { } at && now - at <= SilenceLimit;
        var state = fresh ? NodeStates.Up
            : entry.ReportedAt is not null ? NodeStates.Down
            : entry.Member?.State ?? NodeView.UnknownState;
        var (replicas, leaderships) = fresh && entry.Report is { } report
            ? ((IReadOnlyList<int>)[.. report.Groups.Select(g => g.ShardId)], (IReadOnlyList<int>)[.. report.Groups.Where(g => g.Role == ReplicaRoles.Leader).Select(g => g.ShardId)])
            : (entry.Member?.Replicas ?? [], entry.Member?.Leaderships ?? []);
        var metaRole = fresh && entry.Report?.MetaRole is { } reported ? reported : entry.Member?.MetaRole;
        return new NodeView(id, entry.ClientUrl, state, replicas, leaderships, entry.Report, entry.ReportedAt, metaRole)
        {
            Membership = entry.Member?.Membership ?? NodeMemberships.Active,
            Drain = entry.Member?.Drain,
            DrainProgress = entry is { DrainFrom: { } from, Member: { } member } ? new DrainProgress(from, Held(member)) : null,
        };
    }

    // What a draining node has to hand over: each leadership, then each replica.
    private static int Held(NodeInfo node) => node.Replicas.Count + node.Leaderships.Count;

    private List<ReplicaView> ReplicasOf(ShardInfo shard, HashSet<string> up)
    {
        GroupStatusReport? GroupOn(string nodeId) =>
            _nodes.TryGetValue(nodeId, out var entry) ? entry.Report?.Groups.FirstOrDefault(g => g.ShardId == shard.Id) : null;

        var leaderCommit = shard.LeaderId is { } leader && GroupOn(leader) is { } led ? led.CommitIndex : shard.CommitIndex;
        return
        [
            .. shard.Replicas.Select(replica =>
            {
                var group = GroupOn(replica.NodeId);
                return new ReplicaView(replica.NodeId, shard.LeaderId == replica.NodeId ? ReplicaRoles.Leader : replica.Role, up.Contains(replica.NodeId),
                    group?.Term, group?.CommitIndex, group?.AppliedIndex, group is null ? null : Math.Max(0, leaderCommit - group.AppliedIndex));
            }),
        ];
    }

    private static ShardHealth HealthOf(ShardInfo shard, HashSet<string> up)
    {
        var voters = shard.Replicas.Where(r => r.Role != ReplicaRoles.Learner).ToList();
        var votersUp = voters.Count(r => up.Contains(r.NodeId));
        if (shard.LeaderId is null || !up.Contains(shard.LeaderId) || votersUp <= voters.Count / 2)
        {
            return ShardHealth.Unavailable;
        }

        return shard.Replicas.All(r => up.Contains(r.NodeId)) ? ShardHealth.Healthy : ShardHealth.UnderReplicated;
    }

    private sealed class ShardTrack
    {
        public List<EpochChange> Epochs { get; } = [];

        public Queue<ShardLoadSample> Load { get; } = new();

        public void Observe(ShardInfo shard, DateTimeOffset now)
        {
            if (Epochs.Count == 0 || Epochs[^1].Epoch != shard.Epoch)
            {
                Epochs.Add(new EpochChange(shard.Epoch, [.. shard.Replicas.Select(r => r.NodeId)], now));
                if (Epochs.Count > EpochHistoryLength)
                {
                    Epochs.RemoveAt(0);
                }
            }

            Load.Enqueue(new ShardLoadSample(now, shard.ReadsPerSecond, shard.WritesPerSecond, shard.Keys, shard.Bytes));
            while (Load.Count > ShardHistoryLength)
            {
                Load.Dequeue();
            }
        }
    }

    private sealed class Entry
    {
        public string ClientUrl { get; set; } = string.Empty;

        public NodeInfo? Member { get; set; }

        // The most a draining node was seen to hold since it began draining; null while it is not draining.
        public int? DrainFrom { get; set; }

        public NodeStatusReport? Report { get; set; }

        public DateTimeOffset? ReportedAt { get; set; }

        public bool ShownDown { get; set; }
    }
}
