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

    /// <summary>Load samples kept: a minute at one a second.</summary>
    public const int HistoryLength = 60;

    /// <summary>Events kept.</summary>
    public const int EventCapacity = 500;

    /// <summary>Who reports what the console noticed by itself.</summary>
    public const string ConsoleSource = "console";

    private readonly Lock _gate = new();
    private readonly SortedDictionary<string, Entry> _nodes = new(StringComparer.Ordinal);
    private readonly LinkedList<FleetEvent> _events = new();
    private readonly Queue<LoadSample> _history = new();
    private IReadOnlyList<ShardInfo> _shards = [];

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
                AddEvent(new FleetEvent(FleetEventKinds.NodeJoined, ConsoleSource, report.NodeId, $"{report.NodeId} reports again.", now));
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
        Update(_ =>
        {
            foreach (var node in nodes)
            {
                var entry = EntryFor(node.Id);
                entry.Member = node;
                if (node.ClientUrl.Length > 0)
                {
                    entry.ClientUrl = node.ClientUrl;
                }
            }
        });
    }

    /// <summary>Takes the shard map, as <c>cluster/shards</c> lists it.</summary>
    public void ApplyShards(IReadOnlyList<ShardInfo> shards)
    {
        ArgumentNullException.ThrowIfNull(shards);
        Update(_ =>
        {
            _shards = [.. shards.OrderBy(s => s.Id)];
            foreach (var nodeId in shards.SelectMany(s => s.Replicas).Select(r => r.NodeId))
            {
                EntryFor(nodeId);
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

        var reporting = _nodes.Values.Where(e => e.Report is not null && !e.ShownDown).Select(e => e.Report!.Load).ToList();
        _history.Enqueue(new LoadSample(now, reporting.Sum(l => l.ReadsPerSecond), reporting.Sum(l => l.WritesPerSecond),
            reporting.Count == 0 ? 0 : reporting.Max(l => l.WriteLatencyP99Milliseconds)));
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

        _events.AddFirst(fleetEvent);
        while (_events.Count > EventCapacity)
        {
            _events.RemoveLast();
        }
    }

    private FleetSnapshot Build(DateTimeOffset now)
    {
        var nodes = _nodes.Select(pair => View(pair.Key, pair.Value, now)).ToList();
        var up = nodes.Where(n => n.IsUp).Select(n => n.Id).ToHashSet(StringComparer.Ordinal);
        var shards = _shards.Select(s => new ShardView(s, HealthOf(s, up))).ToList();
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
        return new NodeView(id, entry.ClientUrl, state, replicas, leaderships, entry.Report, entry.ReportedAt);
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

    private sealed class Entry
    {
        public string ClientUrl { get; set; } = string.Empty;

        public NodeInfo? Member { get; set; }

        public NodeStatusReport? Report { get; set; }

        public DateTimeOffset? ReportedAt { get; set; }

        public bool ShownDown { get; set; }
    }
}
