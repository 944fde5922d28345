using System.Globalization;
using NodeNomad.Contracts;
using NodeNomad.Core.Cluster;
using NodeNomad.Node.Runtime;
using NodeNomad.Raft;

namespace NodeNomad.Simulation.Rebalancing;

/// <summary>
/// The load-based rebalancer and the placement driver under the node's own <see cref="NodeCore"/>: a few nodes, shards
/// of three replicas, a network that delivers in a few milliseconds and disks that save at once — no faults, since
/// what is watched is the drivers' course. The clients' requests (<see cref="ShardLoad"/>) go to each shard's keys
/// and are served by whichever replica leads it; once a second the meta leader's core is handed every node's load,
/// as the node's shell does from its peers' reports, and its rebalancer and placement driver move leaderships and
/// replicas (through the core's migration driver). A node may join on the way. The run records every move asked for,
/// every change of a shard's leader or replicas, and how loaded the most loaded node is, second by second. The same
/// seed always gives the same run.
/// </summary>
public sealed class RebalancingSimulation
{
    /// <summary>Virtual milliseconds between ticks (a heartbeat; an election takes ten).</summary>
    public const int TickPeriod = 50;

    /// <summary>Virtual milliseconds between two looks at the cluster (the steward's round, and the samples of leaders and replicas).</summary>
    public const int SamplePeriod = 100;

    private readonly EventAgenda _events = new();
    private readonly List<CoreSimNode> _nodes = [];
    private readonly List<CoreSimNode> _founders;
    private readonly CoreSimNode? _joiner;
    private readonly IReadOnlyList<ClusterMember> _members;
    private readonly BootstrapCluster _bootstrap;
    private readonly Dictionary<string, (RebalancerDecision Decision, long SeenAt)> _decisions = [];
    private readonly Dictionary<string, ShardMove> _asked = [];
    private readonly List<ShardChange> _changes = [];
    private readonly Dictionary<int, (string? Leader, string Replicas)> _seen = [];
    private readonly List<(long At, double Ratio)> _hottest = [];
    private bool _joinerStarted;
    private int _mostInFlight;
    private long _nextTicket;

    /// <summary>The rebalancing seeds' first scenario (<see cref="RebalancingScenario.Skewed"/>).</summary>
    /// <param name="seed">Decides the shards' rates and every random choice of the run.</param>
    public RebalancingSimulation(int seed)
        : this(seed, RebalancingScenario.Skewed)
    {
    }

    /// <param name="seed">Decides every random choice of the run.</param>
    /// <param name="scenario">The cluster, settings and load.</param>
    public RebalancingSimulation(int seed, RebalancingScenario scenario)
    {
        ArgumentNullException.ThrowIfNull(scenario);
        Seed = seed;
        Scenario = scenario;
        Random = new Random(seed);
        var count = scenario.Nodes + (scenario.JoinAt is null ? 0 : 1);
        for (var i = 1; i <= count; i++)
        {
            _nodes.Add(new CoreSimNode(i, () => _events.Now, 0));
        }

        _founders = [.. _nodes.Take(scenario.Nodes)];
        _joiner = scenario.JoinAt is null ? null : _nodes[^1];
        _members = [.. _nodes.Select(n => new ClusterMember(n.Id, n.Id, 1))];
        var founders = _founders.Select(n => new NodeRecord(n.Id, $"{n.Id}:1", "", 1, NodeRecord.Active)).ToList();
        var placement = new PlacementRing(founders.Select(n => new PlacementNode(n.Id, n.Weight))).Place(scenario.Shards, 3);
        var shards = HashRange.Split(scenario.Shards).Select((range, i) => new ShardRecord(i, range.Start, range.End, placement[i], [], ShardRecord.FirstEpoch)).ToList();
        _bootstrap = new BootstrapCluster("rebalancing", 3, founders, shards);
        Load = scenario.Load(Random);
    }

    public int Seed { get; }

    public RebalancingScenario Scenario { get; }

    public Random Random { get; }

    /// <summary>The clients' requests.</summary>
    public ShardLoad Load { get; }

    /// <summary>Runs <paramref name="duration"/> virtual milliseconds.</summary>
    public RebalancingResult Run(long duration)
    {
        foreach (var node in _founders)
        {
            Start(node, founding: true);
        }

        if (_joiner is { } joiner)
        {
            _events.At(Scenario.JoinAt!.Value, () =>
            {
                _joinerStarted = true;
                Start(joiner, founding: false);
            });
        }

        Every(SamplePeriod, Steward);
        Every(1_000, FeedLoad);
        while (_events.RunNext(duration))
        {
        }

        return new RebalancingResult(Seed, Load is FixedShardLoad fixedLoad ? fixedLoad.Each : [],
            [.. _decisions.Values.OrderBy(m => m.SeenAt).Select(m => (m.SeenAt, m.Decision))], _hottest, Describe())
        {
            Asked = [.. _asked.Values.OrderBy(m => m.At)],
            Changes = _changes,
            Joiner = _joiner?.Id,
            FinalLeaders = Leaders(),
            FinalMap = MetaLeader()?.Core!.Map,
            MostInFlight = _mostInFlight,
            LastDecision = MetaLeader()?.Core!.RebalancerDecisions is { Count: > 0 } decisions ? decisions[0] : null,
        };
    }

    private void Start(CoreSimNode node, bool founding)
    {
        var core = node.Start(clock => new NodeCore(
            new NodeCoreSettings { SelfId = node.Id, Seed = Random.Next(), Incarnation = Random.NextInt64() },
            new PeerAddressBook(node.Id, _members), clock, node.Clock));
        core.SetTime(node.CommandClock.Now);
        core.Recover(node.Log.Recover(), founding ? new ConfState([.. _founders.Select(n => n.ReplicaId).Order()], [], []) : null);
        Turn(node);
        core.PlaceReplicas();
        Turn(node);
        Every(TickPeriod + node.Index, () =>
        {
            node.Enqueue(c => c.Tick());
            Turn(node);
        });
    }

    private void Every(long period, Action action) =>
        _events.After(period, () =>
        {
            action();
            Every(period, action);
        });

    private CoreSimNode? MetaLeader() =>
        _nodes.Where(n => n.Core?.Meta.IsLeader == true).OrderByDescending(n => n.Core!.Meta.Status.Term).FirstOrDefault();

    /// <summary>Who leads each shard now: the replica that leads it in the highest term.</summary>
    private Dictionary<int, string> Leaders()
    {
        var leaders = new Dictionary<int, (string Node, ulong Term)>();
        foreach (var node in _nodes.Where(n => n.IsUp))
        {
            foreach (var shard in node.Core!.Shards.Values.Where(s => s.IsLeader && !s.IsRemoved))
            {
                if (!leaders.TryGetValue(shard.ShardId, out var known) || shard.Status.Term > known.Term)
                {
                    leaders[shard.ShardId] = (node.Id, shard.Status.Term);
                }
            }
        }

        return leaders.ToDictionary(l => l.Key, l => l.Value.Node);
    }

    /// <summary>
    /// What the node's steward and an operator do: create the cluster, set the rebalancer's settings, record the joiner,
    /// add it to the meta group as a learner and promote it once caught up. And the simulation's look at the cluster.
    /// </summary>
    private void Steward()
    {
        if (MetaLeader() is not { } leader)
        {
            return;
        }

        var core = leader.Core!;
        var map = core.Map;
        var meta = core.Meta.Status;
        MetaCommand? command = null;
        ConfChange? change = null;
        if (!map.IsBootstrapped)
        {
            command = _bootstrap;
        }
        else if (map.Rebalancing is null)
        {
            command = new SetRebalancerSettings(Scenario.Rules);
        }
        else if (_joiner is { } joiner && _joinerStarted)
        {
            if (map.Node(joiner.Id) is null)
            {
                command = new RegisterNode(new NodeRecord(joiner.Id, $"{joiner.Id}:1", "", 1, NodeRecord.Active));
            }
            else if (!meta.Voters.Contains(joiner.Id) && !meta.Learners.Contains(joiner.Id))
            {
                change = new ConfChange(ConfChangeType.AddLearner, joiner.ReplicaId);
            }
            else if (meta.Learners.Contains(joiner.Id) && meta.CaughtUp.Contains(joiner.Id) && meta.Voters.Count < 5)
            {
                change = new ConfChange(ConfChangeType.AddVoter, joiner.ReplicaId);
            }
        }

        if (command is not null || change is not null)
        {
            var bytes = command is null ? null : MetaStateMachine.Encode(command);
            leader.Enqueue(c => c.Propose(++_nextTicket, MetaReplica.MetaGroupId, bytes, change));
            Turn(leader);
        }

        if (map.IsBootstrapped)
        {
            Sample(map);
        }
    }

    /// <summary>Notes every move asked of the meta group, and every change of a shard's leader or voters since the last look.</summary>
    private void Sample(ClusterMap map)
    {
        // The map's times are the nodes' wall clocks, which this simulation does not skew.
        var origin = SimulatedClock.Origin.ToUnixTimeMilliseconds();
        foreach (var migration in map.Migrations)
        {
            var key = "m:" + migration.Id;
            _asked.TryAdd(key, new ShardMove(migration.CreatedAt - origin, migration.ShardId, ShardMove.Migration, migration.Reason,
                migration.Source, migration.Target, migration.Steps.Count > 0 ? migration.Steps[0].Detail : null));
            if (migration.IsFinal && _asked[key].EndedAt is null)
            {
                _asked[key] = _asked[key] with { EndedAt = migration.UpdatedAt - origin };
            }
        }

        foreach (var handover in map.Handovers)
        {
            _asked.TryAdd(string.Create(CultureInfo.InvariantCulture, $"h:{handover.ShardId}:{handover.At}:{handover.Target}"),
                new ShardMove(handover.At - origin, handover.ShardId, ShardMove.Handover, handover.Reason, null, handover.Target, null));
        }

        var leaders = Leaders();
        var now = _events.Now + origin;
        _mostInFlight = Math.Max(_mostInFlight, map.Migrations.Count(m => !m.IsFinal)
            + map.Handovers.Count(h => LeadershipCounts.IsInFlight(h, leaders.GetValueOrDefault(h.ShardId), now)));
        foreach (var shard in map.Shards)
        {
            var leader = leaders.GetValueOrDefault(shard.Id);
            var replicas = string.Join(",", shard.Replicas.Order(StringComparer.Ordinal));
            if (_seen.TryGetValue(shard.Id, out var before))
            {
                // A shard between leaders (an election, a transfer under way) is not a change yet: the next leader is.
                if (leader is not null && leader != before.Leader)
                {
                    _changes.Add(new ShardChange(_events.Now, shard.Id, ShardChange.Leader, before.Leader, leader));
                }

                if (replicas != before.Replicas)
                {
                    _changes.Add(new ShardChange(_events.Now, shard.Id, ShardChange.Replicas, before.Replicas, replicas));
                }
            }

            _seen[shard.Id] = (leader ?? before.Leader, replicas);
        }
    }

    /// <summary>Every node's load as the shell would gather it: a shard's rate, measured with some noise, on the replica that leads it.</summary>
    private RebalancerLoad Measured(IReadOnlyList<double> rates)
    {
        var noise = rates.Select(_ => Scenario.Noise <= 0 ? 1 : 1 + (Scenario.Noise * ((2 * Random.NextDouble()) - 1))).ToList();
        return new([.. _nodes.Where(n => n.IsUp).Select(node => new RebalancerNodeLoad(node.Id, true, [.. node.Core!.Shards.Values
            .Where(s => !s.Status.Learners.Contains(node.Id) && !s.IsRemoved)
            .Select(s => new RebalancerReplicaLoad(s.ShardId, s.IsLeader, 0, s.IsLeader && s.ShardId < rates.Count ? rates[s.ShardId] * noise[s.ShardId] : 0, 1_000, 10))]))]);
    }

    private void FeedLoad()
    {
        if (MetaLeader() is not { } leader || !leader.Core!.Map.IsBootstrapped)
        {
            return;
        }

        var map = leader.Core!.Map;
        var leaders = Leaders();
        var rates = Load.Rates(_events.Now, map, s => leaders.GetValueOrDefault(s));
        var load = Measured(rates);
        leader.Enqueue(core => core.ObserveLoad(load));
        Turn(leader);

        // How loaded the most loaded active node is against the mean, by the model's rates (not the noisy measure).
        var active = map.Nodes.Where(n => n.IsActive).Select(n => n.Id).ToList();
        var total = rates.Sum();
        if (total > 0 && active.Count > 0)
        {
            var most = active.Max(id => leaders.Where(l => l.Value == id && l.Key < rates.Count).Sum(l => rates[l.Key]));
            _hottest.Add((_events.Now, most / (total / active.Count)));
        }

        foreach (var node in _nodes.Where(n => n.IsUp))
        {
            foreach (var decision in node.Core!.RebalancerDecisions.Where(d => d.IsMove))
            {
                _decisions.TryAdd(decision.Id, (decision, _events.Now));
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
            if (from.Core!.Addresses.NodeName(message.To) is not { } name || _nodes.FirstOrDefault(n => n.Id == name) is not { IsUp: true } to)
            {
                continue;
            }

            _events.After(1 + Random.Next(3), () =>
            {
                if (!to.IsUp)
                {
                    return;
                }

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
        var map = MetaLeader()?.Core!.Map;
        var leaders = Leaders();
        var rates = map is null ? [] : Load.Rates(_events.Now, map, s => leaders.GetValueOrDefault(s));
        var lines = new List<string>
        {
            string.Create(CultureInfo.InvariantCulture, $"Seed {Seed}, {Load.Describe()}, at t={_events.Now} ms:"),
        };
        foreach (var node in _nodes.Where(n => n.IsUp))
        {
            var led = leaders.Where(l => l.Value == node.Id).Select(l => l.Key).Order().ToList();
            var held = map?.Shards.Where(s => s.Replicas.Contains(node.Id)).Select(s => s.Id).ToList() ?? [];
            lines.Add(string.Create(CultureInfo.InvariantCulture,
                $"  {node.Id}: {led.Where(s => s < rates.Count).Sum(s => rates[s]):0.#} requests/s; leads [{string.Join(", ", led)}], holds [{string.Join(", ", held)}]"));
        }

        if (map is not null)
        {
            lines.Add("  Rebalancer decisions, newest first:");
            lines.AddRange(MetaLeader()!.Core!.RebalancerDecisions.Take(12).Select(d => $"    {d.Id} {d.Action}: {d.Reason} | rejected: {string.Join("; ", d.Rejected)}"));
            lines.Add("  Moves asked for, newest first:");
            lines.AddRange(_asked.Values.OrderByDescending(m => m.At).Take(12).Select(m => string.Create(CultureInfo.InvariantCulture,
                $"    t={m.At} {m.Kind} {ShardNames.Of(m.ShardId)} {m.Source ?? "-"} -> {m.Target}: {m.Reason} {m.Detail}")));
        }

        return string.Join(Environment.NewLine, lines);
    }
}
