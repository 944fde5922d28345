using System.Globalization;
using NodeNomad.Core.Cluster;
using NodeNomad.Node.Runtime;
using NodeNomad.Raft;

namespace NodeNomad.Simulation;

/// <summary>
/// The load-based rebalancer under the node's own <see cref="NodeCore"/>: four nodes, sixteen shards of three replicas,
/// a network that delivers in a few milliseconds and disks that save at once — no faults, since what is watched is
/// the rebalancer's course. Each shard is given a write rate drawn from the seed, served by whichever replica leads
/// it; once a second the meta leader's core is handed every node's load, as the node's shell does from its peers'
/// reports, and its rebalancer moves leaderships and replicas (through the core's migration driver). The run records
/// every move decided and how hot the hottest node is, second by second. The same seed always gives the same run.
/// </summary>
public sealed class RebalancingSimulation
{
    /// <summary>Nodes in the cluster.</summary>
    public const int NodeCount = 4;

    /// <summary>Shards in the cluster.</summary>
    public const int ShardCount = 16;

    /// <summary>Virtual milliseconds between ticks (a heartbeat; an election takes ten).</summary>
    public const int TickPeriod = 50;

    /// <summary>The rebalancer's settings in the simulation: a round every five seconds (the smoothed figures settle in that time), a 15-second cooldown.</summary>
    public static readonly RebalancerSettings Rules = new(IntervalSeconds: 5, Dimension: RebalancerDimensions.Writes, Threshold: 1.25, Hysteresis: 1.10,
        CooldownSeconds: 15, MaxConcurrentMoves: 1);

    private readonly EventAgenda _events = new();
    private readonly List<CoreSimNode> _nodes = [];
    private readonly BootstrapCluster _bootstrap;
    private readonly Dictionary<string, (RebalancerDecision Decision, long SeenAt)> _moves = [];
    private readonly List<(long At, double Ratio)> _hottest = [];
    private long _nextTicket;

    /// <param name="seed">Decides the shards' write rates and every random choice of the run.</param>
    public RebalancingSimulation(int seed)
    {
        Seed = seed;
        Random = new Random(seed);
        for (var i = 1; i <= NodeCount; i++)
        {
            _nodes.Add(new CoreSimNode(i, () => _events.Now, 0));
        }

        var founders = _nodes.Select(n => new NodeRecord(n.Id, $"{n.Id}:1", "", 1, NodeRecord.Active)).ToList();
        var placement = new PlacementRing(founders.Select(n => new PlacementNode(n.Id, n.Weight))).Place(ShardCount, 3);
        var shards = HashRange.Split(ShardCount).Select((range, i) => new ShardRecord(i, range.Start, range.End, placement[i], [], ShardRecord.FirstEpoch)).ToList();
        _bootstrap = new BootstrapCluster("rebalancing", 3, founders, shards);
        // Skewed: most shards are quiet, about one in four is hot (eight times the quietest).
        Rates = [.. Enumerable.Range(0, ShardCount).Select(_ => Random.Next(4) == 0 ? 40.0 : Random.Next(1, 4) * 5.0)];
    }

    public int Seed { get; }

    public Random Random { get; }

    /// <summary>Each shard's write rate.</summary>
    public IReadOnlyList<double> Rates { get; }

    /// <summary>Runs <paramref name="duration"/> virtual milliseconds.</summary>
    public RebalancingResult Run(long duration)
    {
        var members = _nodes.Select(n => new ClusterMember(n.Id, n.Id, 1)).ToList();
        foreach (var node in _nodes)
        {
            var core = node.Start(clock => new NodeCore(
                new NodeCoreSettings { SelfId = node.Id, Seed = Random.Next(), Incarnation = Random.NextInt64() },
                new PeerAddressBook(node.Id, members), clock, node.Clock));
            core.SetTime(node.CommandClock.Now);
            core.Recover(node.Log.Recover(), new ConfState([.. _nodes.Select(n => n.ReplicaId).Order()], [], []));
            Turn(node);
            core.PlaceReplicas();
            Turn(node);
            Every(TickPeriod + node.Index, () =>
            {
                node.Enqueue(c => c.Tick());
                Turn(node);
            });
        }

        Every(100, Steward);
        Every(1_000, FeedLoad);
        while (_events.RunNext(duration))
        {
        }

        return new RebalancingResult(Seed, Rates, [.. _moves.Values.OrderBy(m => m.SeenAt).Select(m => (m.SeenAt, m.Decision))], _hottest, Describe());
    }

    private void Every(long period, Action action) =>
        _events.After(period, () =>
        {
            action();
            Every(period, action);
        });

    private CoreSimNode? MetaLeader() =>
        _nodes.Where(n => n.Core!.Meta.IsLeader).OrderByDescending(n => n.Core!.Meta.Status.Term).FirstOrDefault();

    /// <summary>What the node's steward and an operator do: create the cluster, then set the rebalancer's settings.</summary>
    private void Steward()
    {
        if (MetaLeader() is not { } leader)
        {
            return;
        }

        var map = leader.Core!.Map;
        MetaCommand? command = !map.IsBootstrapped ? _bootstrap : map.Rebalancing is null ? new SetRebalancerSettings(Rules) : null;
        if (command is not null)
        {
            leader.Enqueue(core => core.Propose(++_nextTicket, MetaReplica.MetaGroupId, MetaStateMachine.Encode(command)));
            Turn(leader);
        }
    }

    /// <summary>Every node's load as the shell would gather it: a shard's rate on the replica that leads it.</summary>
    private RebalancerLoad Load() =>
        new([.. _nodes.Select(node => new RebalancerNodeLoad(node.Id, true, [.. node.Core!.Shards.Values
            .Where(s => !s.Status.Learners.Contains(node.Id) && !s.IsRemoved)
            .Select(s => new RebalancerReplicaLoad(s.ShardId, s.IsLeader, 0, s.IsLeader ? Rates[s.ShardId] : 0, 1_000, 10))]))]);

    private void FeedLoad()
    {
        var load = Load();
        if (MetaLeader() is { } leader && leader.Core!.Map.IsBootstrapped)
        {
            leader.Enqueue(core => core.ObserveLoad(load));
            Turn(leader);
            var total = load.Nodes.Sum(n => n.In(RebalancerDimensions.Writes));
            _hottest.Add((_events.Now, load.Nodes.Max(n => n.In(RebalancerDimensions.Writes)) / (total / NodeCount)));
        }

        foreach (var node in _nodes)
        {
            foreach (var decision in node.Core!.RebalancerDecisions.Where(d => d.IsMove))
            {
                _moves.TryAdd(decision.Id, (decision, _events.Now));
            }
        }
    }

    /// <summary>The shell's loop, with saves that complete at once.</summary>
    private void Turn(CoreSimNode node)
    {
        var core = node.Core!;
        core.SetTime(node.CommandClock.Now);
        node.DrainInputs();
        while (true)
        {
            Dispatch(node, core.TakeOutput());
            if (core.Prepare() is not { } plan)
            {
                break;
            }

            Send(node, plan.SendNow);
            if (plan.Save is { } batch)
            {
                node.Log.Save(batch);
            }

            core.Persisted();
            var output = core.TakeOutput();
            Dispatch(node, output);
            foreach (var compaction in output.Compactions)
            {
                var snapshot = compaction.InMemory();
                node.Log.Compact(compaction.LogKey, snapshot);
                core.Compacted(compaction, snapshot);
            }
        }
    }

    private void Dispatch(CoreSimNode node, TurnOutput output)
    {
        Send(node, output.Sends);
        foreach (var command in output.ForMeta)
        {
            var bytes = MetaStateMachine.Encode(command);
            _events.After(1 + Random.Next(3), () =>
            {
                if (MetaLeader() is { } leader)
                {
                    leader.Enqueue(core => core.Propose(++_nextTicket, MetaReplica.MetaGroupId, bytes));
                    Turn(leader);
                }
            });
        }
    }

    private void Send(CoreSimNode from, IReadOnlyList<Outbound> messages)
    {
        foreach (var (groupId, message) in messages)
        {
            if (from.Core!.Addresses.NodeName(message.To) is not { } name || _nodes.FirstOrDefault(n => n.Id == name) is not { } to)
            {
                continue;
            }

            _events.After(1 + Random.Next(3), () =>
            {
                to.Enqueue(core => core.Step(groupId, message));
                Turn(to);
                if (message.Snapshot is not null)
                {
                    from.Enqueue(core => core.ReportSnapshot(groupId, message.To, true));
                    Turn(from);
                }
            });
        }
    }

    private string Describe()
    {
        var load = Load();
        var map = MetaLeader()?.Core!.Map;
        var lines = new List<string>
        {
            string.Create(CultureInfo.InvariantCulture, $"Seed {Seed}, rates [{string.Join(", ", Rates)}], at t={_events.Now} ms:"),
        };
        foreach (var node in load.Nodes)
        {
            lines.Add(string.Create(CultureInfo.InvariantCulture,
                $"  {node.NodeId}: {node.In(RebalancerDimensions.Writes)} writes/s; leads [{string.Join(", ", node.Replicas.Where(r => r.Leads).Select(r => r.ShardId))}], holds [{string.Join(", ", node.Replicas.Select(r => r.ShardId))}]"));
        }

        if (map is not null)
        {
            lines.Add("  Decisions, newest first:");
            lines.AddRange(MetaLeader()!.Core!.RebalancerDecisions.Take(12).Select(d => $"    {d.Id} {d.Action}: {d.Reason} | rejected: {string.Join("; ", d.Rejected)}"));
        }

        return string.Join(Environment.NewLine, lines);
    }
}
