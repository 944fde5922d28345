using NodeNomad.Linearizability;

namespace NodeNomad.Raft.Simulation.Tests;

/// <summary>
/// A deterministic simulation of one Raft group: replicas, their disks, a faulty network, clients and a
/// nemesis, all driven by one <see cref="System.Random"/> seeded from the run's seed and one virtual clock.
/// Safety is checked after every step (<see cref="SafetyMonitor"/>); at the end the faults stop, every
/// replica comes back, the live voters must agree within a bounded time, and the clients' history must be
/// linearizable. The same seed always produces the same run, and the same <see cref="TraceLog.Hash"/>.
/// </summary>
internal sealed partial class ClusterSimulation
{
    /// <summary>Virtual milliseconds of faults and client operations per seed.</summary>
    public const long DefaultFaultPhase = 20_000;

    /// <summary>Stops a run that livelocks without failing an invariant.</summary>
    private const long MaxEvents = 3_000_000;

    private readonly EventAgenda _events = new();
    private readonly SortedDictionary<ulong, SimulatedReplica> _replicas = [];
    private readonly List<SimulatedClient> _clients = [];
    private readonly SimulatedNetwork _network;
    private long _convergedAt = -1;

    /// <param name="seed">Decides everything about the run.</param>
    /// <param name="flaw">A deliberate host mistake, to test the checks.</param>
    /// <param name="faultPhase">Virtual milliseconds of faults and client operations.</param>
    /// <param name="fullTrace">Where to write every event, one a line; null keeps only the recent ones.</param>
    /// <param name="readOnly">How reads are confirmed.</param>
    public ClusterSimulation(int seed, HostFlaw flaw = HostFlaw.None, long faultPhase = DefaultFaultPhase, TextWriter? fullTrace = null, ReadOnlyOption readOnly = ReadOnlyOption.Safe)
    {
        Seed = seed;
        Trace = new TraceLog(400, fullTrace);
        Random = new Random(seed);
        Settings = SimulationSettings.Draw(Random, flaw, faultPhase, readOnly);
        _network = new SimulatedNetwork(Random)
        {
            DropRate = Settings.DropRate,
            DuplicateRate = Settings.DuplicateRate,
            MaxDelay = Settings.MaxDelay,
            SlowRate = Settings.SlowRate,
        };
    }

    public int Seed { get; }

    /// <summary>The run's only source of randomness: the network, the nemesis, the clients and every replica's election timeouts.</summary>
    public Random Random { get; }

    public SimulationSettings Settings { get; }

    public TraceLog Trace { get; }

    public SafetyMonitor Monitor { get; } = new();

    public long Now => _events.Now;

    public long Events => _events.Processed;

    /// <summary>The clients' operations so far.</summary>
    public List<Operation<NodeNomadKvInput, NodeNomadKvOutput>> History() =>
        _clients.SelectMany(client => client.History).ToList();

    /// <summary>Where every replica stands, for failure reports.</summary>
    public string DescribeReplicas() => string.Join(Environment.NewLine, _replicas.Values.Select(replica =>
        replica.IsDecommissioned ? $"  replica {replica.Id}: removed"
        : replica.Node is not { } node ? $"  replica {replica.Id}: down (persisted term {replica.Disk.HardState.Term}, log ({replica.Disk.SnapshotIndex}, {replica.Disk.LastIndex}])"
        : $"  replica {replica.Id}: {Describe(node.Status)}, applied {replica.Applied}"))
        + Environment.NewLine + $"  network: {_network.Describe()}";

    public SimulationResult Run()
    {
        var voters = Enumerable.Range(1, Settings.Replicas).Select(id => (ulong)id).ToArray();
        foreach (var id in voters)
        {
            AddReplica(id, ConfState.OfVoters(voters));
        }

        _nextReplicaId = (ulong)voters.Length + 1;
        for (var i = 0; i < Settings.Clients; i++)
        {
            var client = new SimulatedClient(i, voters[Random.Next(voters.Length)]);
            _clients.Add(client);
            _events.After(Random.Next(0, 50), () => StartOperation(client));
        }

        ScheduleNextFault();
        _events.At(Settings.FaultPhase, Heal);

        var deadline = Settings.FaultPhase + Settings.LivenessBound;
        while (_convergedAt < 0 && _events.RunNext(deadline))
        {
            if (_events.Processed > MaxEvents)
            {
                throw new InvariantViolationException($"The run did not settle within {MaxEvents} events (at t={Now} ms).");
            }
        }

        if (_convergedAt < 0)
        {
            throw new LivenessException(
                $"Liveness: {Settings.LivenessBound} ms after every fault healed (at t={Settings.FaultPhase} ms), the group has not converged: {Laggards()}.");
        }

        var history = History();
        var check = LinearizabilityChecker.Check(new NodeNomadKvModel(), history, TimeSpan.FromSeconds(30));
        return new SimulationResult(
            Seed,
            Settings,
            Trace.Hash,
            _events.Processed,
            Now,
            _convergedAt - Settings.FaultPhase,
            Monitor.Leaders,
            Monitor.MaxApplied,
            _faults,
            _clients.Sum(client => client.Completed),
            _clients.Sum(client => client.Unknown),
            history,
            check);
    }

    /// <summary>Says what keeps the group from converging, in one line.</summary>
    private string Laggards()
    {
        if (CurrentLeader() is not { } leader)
        {
            return "no leader";
        }

        var status = leader.Raft.Status;
        var commit = status.HardState.Commit;
        var behind = status.ConfState.Voters.Select(id => (Id: id, Role: "voter"))
            .Concat(status.ConfState.Learners.Select(id => (Id: id, Role: "learner")))
            .Where(member => !_replicas.TryGetValue(member.Id, out var replica) || replica.Node is null || replica.Applied != commit)
            .Select(member => _replicas.TryGetValue(member.Id, out var replica) && replica.Node is { } node
                ? $"{member.Role} {member.Id} has applied {replica.Applied} (commit {node.Status.HardState.Commit}, log ends at {node.Status.LastIndex})"
                : $"{member.Role} {member.Id} is down")
            .ToList();
        var waiting = _clients.Count(client => client.Busy);
        var parts = new List<string>();
        if (commit != status.LastIndex)
        {
            parts.Add($"leader {leader.Id} of term {status.HardState.Term} commits {commit} of {status.LastIndex}");
        }

        if (behind.Count > 0)
        {
            parts.Add($"leader {leader.Id} is at {commit}, but " + string.Join(", ", behind));
        }

        if (waiting > 0)
        {
            parts.Add($"{waiting} clients still wait");
        }

        return parts.Count > 0 ? string.Join("; ", parts) : "it converged only at the deadline";
    }

    private SimulatedReplica AddReplica(ulong id, ConfState? initialMembers)
    {
        // Each replica's clock drifts: its tick period is 9, 10 or 11 ms (for the default 10).
        var replica = new SimulatedReplica(this, id, initialMembers, Settings.TickPeriod + Random.Next(-Settings.ClockDrift, Settings.ClockDrift + 1));
        _replicas[id] = replica;
        StartReplica(replica);
        return replica;
    }

    private void StartReplica(SimulatedReplica replica)
    {
        replica.Start();
        ScheduleTick(replica, replica.Incarnation);
        AfterInput(replica);
    }

    /// <summary>Ticks at the replica's own period; a frozen replica misses its ticks (as a coalescing timer does).</summary>
    private void ScheduleTick(SimulatedReplica replica, int incarnation) =>
        _events.At(Math.Max(Now + replica.TickPeriod, replica.PausedUntil), () =>
        {
            if (replica.Incarnation != incarnation || replica.Node is not { } node)
            {
                return;
            }

            Trace.Add(Now, "tick", replica.Id);
            node.Tick();
            AfterInput(replica);
            ScheduleTick(replica, incarnation);
        });

    /// <summary>Runs an input to <paramref name="replica"/> now, or when it thaws if it is frozen (inputs queue up meanwhile).</summary>
    private void OnReplica(SimulatedReplica replica, Action input)
    {
        if (Now < replica.PausedUntil)
        {
            _events.At(replica.PausedUntil, () => OnReplica(replica, input));
            return;
        }

        input();
    }

    /// <summary>
    /// After any input to a replica: the host handles its Ready now, or a moment later (so that several
    /// steps batch into one Ready, and a crash can catch work that was never persisted). Then the replica's
    /// state is checked.
    /// </summary>
    private void AfterInput(SimulatedReplica replica)
    {
        if (replica.Node is null)
        {
            return;
        }

        if (!replica.ReadyScheduled)
        {
            if (Random.NextDouble() < Settings.LateReadyRate)
            {
                replica.ReadyScheduled = true;
                var incarnation = replica.Incarnation;
                _events.After(Random.Next(0, 4), () => OnReplica(replica, () =>
                {
                    if (replica.Incarnation == incarnation && replica.IsUp)
                    {
                        replica.HandleReadies();
                        Observe(replica);
                    }
                }));
            }
            else
            {
                replica.HandleReadies();
            }
        }

        Observe(replica);
    }

    private void Observe(SimulatedReplica replica)
    {
        if (replica.Node is { } node)
        {
            Monitor.Observe(replica.Id, node.Status);
        }
    }

    /// <summary>For a flawed host: the buffered writes reach the disk some time later.</summary>
    public void ScheduleFlush(SimulatedReplica replica)
    {
        var incarnation = replica.Incarnation;
        _events.After(Random.Next(20, 300), () =>
        {
            if (replica.Incarnation == incarnation && replica.IsUp)
            {
                replica.Flush();
            }
        });
    }

    private SimulatedReplica? CurrentLeader()
    {
        SimulatedReplica? leader = null;
        var leaderTerm = 0UL;
        foreach (var replica in _replicas.Values)
        {
            if (replica.Node is { } node && node.Status is { SoftState.Role: RaftRole.Leader } status && status.HardState.Term >= leaderTerm)
            {
                leader = replica;
                leaderTerm = status.HardState.Term;
            }
        }

        return leader;
    }

    private static string Describe(RaftStatus status) =>
        $"{status.SoftState.Role} of term {status.HardState.Term} (vote {status.HardState.Vote}, leader {status.SoftState.Leader}), commit {status.HardState.Commit}, last index {status.LastIndex}, " +
        $"voters [{string.Join(",", status.ConfState.Voters)}] learners [{string.Join(",", status.ConfState.Learners)}]";
}
