using System.Globalization;
using NodeNomad.Contracts;
using NodeNomad.Core.Cluster;
using NodeNomad.Core.KeyValue;
using NodeNomad.Linearizability;
using NodeNomad.Node.Runtime;
using NodeNomad.Raft;

namespace NodeNomad.Simulation;

/// <summary>
/// A deterministic simulation of a whole NodeNomad cluster running the node's own <see cref="NodeCore"/>: four
/// founding nodes and one that joins (the meta group adds it as a learner and promotes it once it caught up), a
/// meta group and one to six shard groups of one or three replicas, each node driven as the node's shell drives its
/// core (one save per turn, inputs between turns, a leader's appends before its save). Faults: crashes (some in the
/// middle of a save, which then did or did not reach the disk), failing and slow disks, process pauses, partitions
/// and one-way cuts, dropped, duplicated, delayed and reordered messages, clocks that disagree. After every turn:
/// one leader per term in each group, and a committed entry never changes. At the end the faults stop, every shard
/// must serve a write and a read, and the clients' history, partitioned by key, must be linearizable. The same
/// seed always gives the same run.
/// </summary>
public sealed partial class CoreClusterSimulation
{
    /// <summary>Virtual milliseconds of faults and client operations per seed.</summary>
    public const long DefaultFaultPhase = 4_000;

    private const long MaxEvents = 3_000_000;

    private readonly EventAgenda _events = new();
    private readonly List<CoreSimNode> _nodes = [];
    private readonly HashSet<(int From, int To)> _cuts = [];
    private readonly Dictionary<long, Action<Outcome>> _waiting = [];
    private readonly Dictionary<(ulong Group, ulong Term), string> _leaders = [];
    private readonly Dictionary<(ulong Group, ulong Index), ulong> _committed = [];
    private readonly Dictionary<(string Node, ulong LogKey), ulong> _checkedCommit = [];
    private readonly Dictionary<ulong, ulong> _highestCommitted = [];
    private readonly Dictionary<(ulong Group, ulong Index), ulong> _committedBy = [];
    private readonly Dictionary<(int Shard, long Applied), (string Node, ulong Digest)> _states = [];
    private readonly Dictionary<(string Node, int Shard), long> _comparedAt = [];
    private readonly List<CoreClient> _clients = [];
    private readonly List<string> _keys = [];
    private readonly Dictionary<int, (long Write, long Read)> _served = [];
    private readonly IReadOnlyList<ClusterMember> _members;
    private readonly BootstrapCluster _bootstrap;
    private readonly ClusterMap _genesis;
    private readonly CoreFlaw _flaw;
    private long _nextTicket;
    private long _healedAt = -1;
    private bool _joinerStarted;
    private int _crashes;
    private int _saveFailures;
    private int _partitions;
    private int _transfers;
    private int _statesCompared;

    /// <param name="seed">Decides everything about the run.</param>
    /// <param name="flaw">A rule the core breaks on purpose, or none.</param>
    /// <param name="faultPhase">Virtual milliseconds of faults and client operations.</param>
    /// <param name="fullTrace">Where to write every event, one a line; null keeps only the recent ones.</param>
    /// <param name="reads">How leaders confirm reads (see <see cref="CoreSimulationSettings.Reads"/>).</param>
    /// <param name="placementDriver">Whether the placement driver runs, and the operator drains, brings back and kills nodes for long instead of moving replicas by hand.</param>
    public CoreClusterSimulation(int seed, CoreFlaw flaw = CoreFlaw.None, long faultPhase = DefaultFaultPhase, TextWriter? fullTrace = null,
        ReadOnlyOption reads = ReadOnlyOption.Safe, bool placementDriver = false)
    {
        Seed = seed;
        _flaw = flaw;
        Random = new Random(seed);
        Trace = new TraceLog(300, fullTrace);
        Settings = CoreSimulationSettings.Draw(Random, faultPhase) with { Reads = reads, Placement = placementDriver };
        for (var i = 1; i <= CoreSimulationSettings.Nodes; i++)
        {
            var node = new CoreSimNode(i, () => _events.Now, Random.NextInt64(-Settings.MaxSkew, Settings.MaxSkew + 1));
            _nodes.Add(node);
        }

        _members = [.. _nodes.Select(n => new ClusterMember(n.Id, n.Id, 1))];
        var founders = _nodes.Take(CoreSimulationSettings.FoundingNodes)
            .Select(n => new NodeRecord(n.Id, $"{n.Id}:1", "", 1, NodeRecord.Active)).ToList();
        var placement = new PlacementRing(founders.Select(n => new PlacementNode(n.Id, n.Weight))).Place(Settings.Shards, Settings.ReplicationFactor);
        var shards = HashRange.Split(Settings.Shards)
            .Select((range, i) => new ShardRecord(i, range.Start, range.End, placement[i], [], ShardRecord.FirstEpoch)).ToList();
        _bootstrap = new BootstrapCluster("simulated", Settings.ReplicationFactor, founders, shards);
        _genesis = new ClusterMap("simulated", Settings.Shards, Settings.ReplicationFactor, founders, shards, 1);
    }

    public int Seed { get; }

    public Random Random { get; }

    public CoreSimulationSettings Settings { get; }

    public TraceLog Trace { get; }

    public long Now => _events.Now;

    public long Events => _events.Processed;

    /// <summary>The clients' operations so far.</summary>
    public List<Operation<NodeNomadKvInput, NodeNomadKvOutput>> History() => [.. _clients.SelectMany(c => c.History)];

    public CoreSimulationResult Run()
    {
        foreach (var node in _nodes.Take(CoreSimulationSettings.FoundingNodes))
        {
            StartNode(node);
        }

        _events.At(Random.Next(200, (int)Math.Max(300, Settings.FaultPhase / 2)), () =>
        {
            _joinerStarted = true;
            StartNode(_nodes[^1]);
        });
        ChooseKeys();
        for (var i = 0; i < Settings.Clients; i++)
        {
            var client = new CoreClient(i);
            _clients.Add(client);
            _events.After(Random.Next(20, 80), () => NextOperation(client));
        }

        _events.After(Settings.FaultInterval, Fault);
        if (Settings.Placement)
        {
            SchedulePlacementFaults();
        }

        _events.At(Settings.FaultPhase, Heal);
        var deadline = Settings.FaultPhase + CoreSimulationSettings.LivenessBound;
        while (!Settled() && _events.RunNext(deadline))
        {
            if (_events.Processed > MaxEvents)
            {
                throw new InvariantViolationException($"The run did not settle within {MaxEvents} events (at t={Now} ms).");
            }
        }

        if (!Settled())
        {
            var waiting = Enumerable.Range(0, Settings.Shards).Where(s => !Served(s)).Select(s => s.ToString(CultureInfo.InvariantCulture));
            throw new LivenessException(
                $"Liveness: {CoreSimulationSettings.LivenessBound} ms after every fault healed (at t={Settings.FaultPhase} ms), shards [{string.Join(", ", waiting)}] had not served a write and a read"
                + $"{(MovesSettled() ? "" : ", and migrations had not all ended with every node hosting what the map places on it")}"
                + $"{(Settings.Placement && PlacementSettled() is { } unsettled ? $", and placement had not settled: {unsettled}" : "")}.{Environment.NewLine}{DescribeNodes()}");
        }

        // An operation still under way when the run stops may have taken effect (another client may have read it).
        foreach (var client in _clients.Where(c => c.Input is not null))
        {
            client.GiveUp();
        }

        var history = History();
        var check = LinearizabilityChecker.Check(new NodeNomadKvModel(), history, TimeSpan.FromSeconds(30));
        return new CoreSimulationResult(Seed, Settings, Trace.Hash, _events.Processed, Now, _crashes, _saveFailures, _partitions,
            _clients.Sum(c => c.Completed), _clients.Sum(c => c.Unknown), JoinerPromoted(), _movesDone, _transfers, _statesCompared, history, check)
        {
            MovesUndone = _movesUndone,
            Cancels = _cancels,
            Drains = _drains,
            Undrains = _undrains,
            LongKills = _longKills,
            MovesByReason = _movesByReason,
        };
    }

    private bool Settled() => AllServed() && MovesSettled() && (!Settings.Placement || PlacementSettled() is null);

    /// <summary>Whether some live node's meta replica counts the joiner among the meta group's voters.</summary>
    private bool JoinerPromoted() => _nodes.Any(n => n.Core?.Meta.Status.Voters.Contains(_nodes[^1].Id) == true);

    /// <summary>Where every node and group stands, for failure reports.</summary>
    public string DescribeNodes()
    {
        var lines = new List<string>();
        foreach (var node in _nodes)
        {
            lines.Add($"  {node.Id}: {(node.IsUp ? "up" : "down")}{(node.PausedUntil > Now ? $", paused until {node.PausedUntil}" : "")}{(node.Saving is not null ? ", saving" : "")}");
            foreach (var group in node.Core?.Groups ?? [])
            {
                var s = group.Status;
                lines.Add($"    group {group.GroupId}: {s.RoleName} term {s.Term} leader {s.LeaderId ?? "-"} commit {s.CommitIndex} applied {s.AppliedIndex} last {s.LastIndex} voters [{string.Join(",", s.Voters)}] learners [{string.Join(",", s.Learners)}]");
            }
        }

        lines.Add($"  cuts: {string.Join(" ", _cuts.Select(c => $"n{c.From}->n{c.To}"))}");
        if (_nodes.FirstOrDefault(n => n.Core?.Meta is { IsLeader: true }) is { } metaLeader)
        {
            var map = metaLeader.Core!.Map;
            lines.Add($"  map v{map.Version} on {metaLeader.Id}: " + string.Join("; ", map.Shards.Select(s => $"shard {s.Id} e{s.Epoch} [{string.Join(",", s.Replicas)}] learners [{string.Join(",", s.Learners)}]")));
            foreach (var m in map.Migrations.Where(m => !m.IsFinal))
            {
                lines.Add($"  {m.Id}: shard {m.ShardId} {m.Source}->{m.Target} {m.State}{(m.CancelRequested ? " (cancel asked)" : "")} since {m.UpdatedAt}");
            }
        }
        return string.Join(Environment.NewLine, lines);
    }

    private void ChooseKeys()
    {
        var perShard = new int[Settings.Shards];
        for (var i = 0; _keys.Count < Settings.Shards * Settings.KeysPerShard; i++)
        {
            var key = "k" + i.ToString(CultureInfo.InvariantCulture);
            var shard = _genesis.ShardForKey(key)!.Id;
            if (perShard[shard] < Settings.KeysPerShard)
            {
                perShard[shard]++;
                _keys.Add(key);
            }
        }
    }

    // ---- Nodes: start, turns, saves, crashes -------------------------------------------------------------------

    private void StartNode(CoreSimNode node)
    {
        var founding = node.Index <= CoreSimulationSettings.FoundingNodes;
        var core = node.Start(clock => new NodeCore(
            new NodeCoreSettings
            {
                SelfId = node.Id,
                ElectionTick = CoreSimulationSettings.ElectionTick,
                SnapshotEntries = Settings.SnapshotEntries,
                Seed = Random.Next(),
                Incarnation = Random.NextInt64(),
                Flaw = _flaw,
                Reads = Settings.Reads,
                MigrationStepTimeout = TimeSpan.FromMilliseconds(MigrationStepTimeout),
                PlacementEnabled = Settings.Placement,
                PlacementInterval = TimeSpan.FromMilliseconds(PlacementInterval),
                DownAfter = TimeSpan.FromMilliseconds(DownAfter),
                UpWithin = TimeSpan.FromMilliseconds(UpWithin),
                MaxConcurrentMoves = 2,
                PlacementCooldown = TimeSpan.FromMilliseconds(PlacementInterval),
            },
            new PeerAddressBook(node.Id, _members),
            clock,
            node.Clock));
        Trace.Add(Now, "start", (ulong)node.Index, (ulong)node.Life);
        foreach (var key in _checkedCommit.Keys.Where(k => k.Node == node.Id).ToList())
        {
            _checkedCommit.Remove(key);
        }

        // The shell's recovery, with saves that complete at once: recover, re-apply, place the replicas, re-apply.
        core.SetTime(node.CommandClock.Now);
        var recovered = node.Log.Recover();
        foreach (var (logKey, group) in recovered.Groups)
        {
            Trace.Add(Now, "recovered", (ulong)node.Index, logKey, group.LastIndex, group.HardState.Commit);
        }

        core.Recover(recovered, founding
            ? new ConfState([.. _nodes.Take(CoreSimulationSettings.FoundingNodes).Select(n => n.ReplicaId).Order()], [], [])
            : null);
        RecoveryTurns(node);
        core.PlaceReplicas();
        RecoveryTurns(node);
        var life = node.Life;
        ScheduleTick(node, life);
        ScheduleSteward(node, life);
    }

    private void RecoveryTurns(CoreSimNode node)
    {
        var core = node.Core!;
        while (core.Prepare() is { } plan)
        {
            Send(node, plan.SendNow);
            if (plan.Save is { } batch)
            {
                node.Log.Save(batch);
            }

            core.Persisted();
            AfterPersisted(node);
        }

        Dispatch(node, core.TakeOutput());
    }

    private void ScheduleTick(CoreSimNode node, int life) =>
        _events.At(Math.Max(Now + CoreSimulationSettings.TickPeriod + Random.Next(-1, 2), node.PausedUntil), () =>
        {
            if (node.Life != life || !node.IsUp)
            {
                return;
            }

            node.Enqueue(core => core.Tick());
            ScheduleTurn(node);
            ScheduleTick(node, life);
        });

    private void ScheduleTurn(CoreSimNode node)
    {
        if (node.TurnScheduled || !node.IsUp)
        {
            return;
        }

        node.TurnScheduled = true;
        var life = node.Life;
        _events.After(Random.Next(0, 3), () =>
        {
            if (node.Life == life)
            {
                node.TurnScheduled = false;
                Turn(node);
            }
        });
    }

    /// <summary>The shell's loop: take the waiting inputs, then run turns until none is due or a save is under way.</summary>
    private void Turn(CoreSimNode node)
    {
        if (node.Core is not { } core || node.Saving is not null)
        {
            return;
        }

        if (Now < node.PausedUntil)
        {
            var life = node.Life;
            _events.At(node.PausedUntil, () =>
            {
                if (node.Life == life)
                {
                    Turn(node);
                }
            });
            return;
        }

        core.SetTime(node.CommandClock.Now);
        node.DrainInputs();
        while (node.IsUp)
        {
            Dispatch(node, core.TakeOutput());
            if (core.Prepare() is not { } plan)
            {
                break;
            }

            Send(node, plan.SendNow);
            Dispatch(node, core.TakeOutput());
            if (plan.Save is null)
            {
                core.Persisted();
                AfterPersisted(node);
                continue;
            }

            node.Saving = plan;
            var life = node.Life;
            var latency = Now < node.SlowDiskUntil ? Random.Next(10, 60) : Random.Next(0, 3);
            _events.After(latency, () => SaveDone(node, life));
            Trace.Add(Now, "save", (ulong)node.Index, (ulong)plan.Save.Groups.Count, (ulong)plan.Entries);
            foreach (var dropped in plan.Save.Dropped)
            {
                Trace.Add(Now, "drop-group", (ulong)node.Index, dropped);
            }
            return;
        }
    }

    private void SaveDone(CoreSimNode node, int life)
    {
        if (node.Life != life || node.Saving is not { Save: { } batch } || node.Core is not { } core)
        {
            return;
        }

        if (node.NextSaveFails)
        {
            // The disk failed the batch: it may or may not be on disk. The core stops; the node is restarted later.
            node.NextSaveFails = false;
            _saveFailures++;
            if (Random.Next(2) == 0)
            {
                node.Log.Save(batch);
            }

            Trace.Add(Now, "save-failed", (ulong)node.Index);
            core.SaveFailed("The simulated disk failed a save.");
            Dispatch(node, core.TakeOutput());
            Crash(node, keepSave: false);
            return;
        }

        node.Log.Save(batch);
        node.Saving = null;
        core.Persisted();
        AfterPersisted(node);
        Turn(node);
    }

    private void AfterPersisted(CoreSimNode node)
    {
        var core = node.Core!;
        var output = core.TakeOutput();
        Dispatch(node, output);
        foreach (var compaction in output.Compactions)
        {
            var stored = Now >= node.SlowDiskUntil || Random.Next(4) != 0;
            var snapshot = stored ? compaction.InMemory() : null;
            if (snapshot is not null)
            {
                node.Log.Compact(compaction.LogKey, snapshot);
            }

            core.Compacted(compaction, snapshot);
        }

        Check(node);
    }

    private void Crash(CoreSimNode node, bool keepSave)
    {
        if (!node.IsUp)
        {
            return;
        }

        if (keepSave && node.Saving is { Save: { } batch })
        {
            node.Log.Save(batch);
        }

        _crashes++;
        Trace.Add(Now, "crash", (ulong)node.Index, keepSave ? 1UL : 0UL);
        node.Crash();
        if (_healedAt < 0)
        {
            _events.After(Random.Next(20, 600), () => Restart(node));
        }
    }

    private void Restart(CoreSimNode node)
    {
        if (!node.IsUp && !_keptDown.Contains(node) && (node.Index <= CoreSimulationSettings.FoundingNodes || _joinerStarted))
        {
            StartNode(node);
        }
    }

    // ---- The network ------------------------------------------------------------------------------------------

    private void Send(CoreSimNode from, IReadOnlyList<Outbound> messages)
    {
        foreach (var (groupId, message) in messages)
        {
            // Replica ids differ per membership of a group: the sender's address book (from its applied map) says whose.
            if (from.Core?.Addresses.NodeName(message.To) is not { } name || _nodes.FirstOrDefault(n => n.Id == name) is not { } to)
            {
                continue;
            }

            Trace.Add(Now, "send g" + groupId + " " + from.Id + "->" + name, message);
            if (_cuts.Contains((from.Index, to.Index)) || Random.NextDouble() < Settings.DropRate)
            {
                if (Random.Next(3) == 0 || message.Snapshot is not null)
                {
                    var fromLife = from.Life;
                    _events.After(Random.Next(1, 10), () => Feedback(from, fromLife, core =>
                    {
                        if (message.Snapshot is not null)
                        {
                            core.ReportSnapshot(groupId, message.To, false);
                        }
                        else
                        {
                            core.ReportUnreachable(groupId, message.To);
                        }
                    }));
                }

                continue;
            }

            Deliver(from, to, groupId, message);
            if (Random.NextDouble() < Settings.DuplicateRate)
            {
                Deliver(from, to, groupId, message);
            }
        }
    }

    private void Deliver(CoreSimNode from, CoreSimNode to, ulong groupId, Message message)
    {
        var delay = 1 + Random.Next(Settings.MaxDelay) * (Random.Next(20) == 0 ? 10 : 1);
        var fromLife = from.Life;
        _events.After(delay, () =>
        {
            if (!to.IsUp || _cuts.Contains((from.Index, to.Index)))
            {
                if (message.Snapshot is not null)
                {
                    Feedback(from, fromLife, core => core.ReportSnapshot(groupId, message.To, false));
                }

                return;
            }

            to.Enqueue(core => core.Step(groupId, message));
            ScheduleTurn(to);
            if (message.Snapshot is not null)
            {
                Feedback(from, fromLife, core => core.ReportSnapshot(groupId, message.To, true));
            }
        });
    }

    private void Feedback(CoreSimNode node, int life, Action<NodeCore> input)
    {
        if (node.Life == life && node.IsUp)
        {
            node.Enqueue(input);
            ScheduleTurn(node);
        }
    }

    private void Dispatch(CoreSimNode node, TurnOutput output)
    {
        Send(node, output.Sends);
        ForwardToMeta(node, output.ForMeta);
        foreach (var (ticket, outcome) in output.Completions)
        {
            if (_waiting.Remove(ticket, out var answer))
            {
                answer(outcome);
            }
        }
    }

    // ---- Invariants -------------------------------------------------------------------------------------------

    /// <summary>
    /// After a node's turn (its save done, so its log on disk is its log in memory): one leader per term in each
    /// group; a new leader holds every entry committed before it (leader completeness); what any replica counts
    /// committed never changes; replicas of a shard that applied the same entries hold the same contents.
    /// </summary>
    private void Check(CoreSimNode node)
    {
        foreach (var group in node.Core!.Groups)
        {
            var status = group.Status;
            if (status.Role == RaftRole.Leader)
            {
                if (_leaders.TryAdd((group.GroupId, status.Term), node.Id))
                {
                    CheckComplete(node, group.GroupId, group.LogKey, status.Term);
                }
                else if (_leaders[(group.GroupId, status.Term)] != node.Id)
                {
                    throw new InvariantViolationException($"group {group.GroupId} has two leaders in term {status.Term}: {_leaders[(group.GroupId, status.Term)]} and {node.Id}.");
                }
            }

            var from = _checkedCommit.GetValueOrDefault((node.Id, group.LogKey));
            for (var index = from + 1; index <= status.CommitIndex; index++)
            {
                if (node.Log.TermAt(group.LogKey, index) is not { } term)
                {
                    continue;
                }

                if (!_committed.TryAdd((group.GroupId, index), term) && _committed[(group.GroupId, index)] != term)
                {
                    throw new InvariantViolationException(
                        $"group {group.GroupId}: {node.Id} holds entry {index} of term {term} as committed, but an entry of term {_committed[(group.GroupId, index)]} was committed there before.");
                }

                _highestCommitted[group.GroupId] = Math.Max(_highestCommitted.GetValueOrDefault(group.GroupId), index);
                // The lowest term in which some replica counted it committed: at least the term of the leader that
                // committed it, so every leader of a later term must hold it.
                _committedBy[(group.GroupId, index)] = Math.Min(_committedBy.GetValueOrDefault((group.GroupId, index), ulong.MaxValue), status.Term);
            }

            _checkedCommit[(node.Id, group.LogKey)] = Math.Max(from, status.CommitIndex);
        }

        foreach (var (shardId, shard) in node.Core.Shards)
        {
            CompareState(node, shardId, shard);
        }

        CheckMoves(node);
    }

    /// <summary>
    /// Leader completeness: the log of a leader new in its term holds every entry committed in an earlier term (or a
    /// snapshot over it). Not entries committed in later terms: votes cast long ago can still elect a leader of an
    /// old term after a newer one committed, and that leader can commit nothing.
    /// </summary>
    private void CheckComplete(CoreSimNode node, ulong groupId, ulong logKey, ulong term)
    {
        var highest = _highestCommitted.GetValueOrDefault(groupId);
        for (var index = node.Log.SnapshotIndex(logKey) + 1; index <= highest; index++)
        {
            if (_committed.TryGetValue((groupId, index), out var committedTerm) && _committedBy[(groupId, index)] < term
                && node.Log.TermAt(logKey, index) != committedTerm)
            {
                throw new InvariantViolationException(
                    $"group {groupId}: {node.Id} leads term {term} without entry {index} of term {committedTerm}, committed before (its log has term {node.Log.TermAt(logKey, index)?.ToString(CultureInfo.InvariantCulture) ?? "nothing"} there).");
            }
        }
    }

    /// <summary>State machine safety: a shard replica's contents at an applied index equal every other replica's at that index.</summary>
    private void CompareState(CoreSimNode node, int shardId, ShardReplica shard)
    {
        var (applied, digest) = shard.Read(kv => (kv.AppliedIndex, kv.Digest()));
        if (applied == 0 || _comparedAt.GetValueOrDefault((node.Id, shardId)) == applied)
        {
            return;
        }

        _comparedAt[(node.Id, shardId)] = applied;
        if (!_states.TryAdd((shardId, applied), (node.Id, digest)))
        {
            _statesCompared++;
            var first = _states[(shardId, applied)];
            if (first.Digest != digest)
            {
                throw new InvariantViolationException(
                    $"shard {shardId}: {node.Id} and {first.Node} both applied up to index {applied} but hold different contents (digests {digest:x16} and {first.Digest:x16}).");
            }
        }
    }

    // ---- The steward: cluster creation and the joiner ---------------------------------------------------------

    /// <summary>What the node's steward does on the meta leader: create the cluster, record the joiner, add it, promote it once caught up.</summary>
    private void ScheduleSteward(CoreSimNode node, int life) =>
        _events.After(50, () =>
        {
            if (node.Life != life || !node.IsUp)
            {
                return;
            }

            node.Enqueue(core => Steward(node, core));
            ScheduleTurn(node);
            ScheduleSteward(node, life);
        });

    private void Steward(CoreSimNode node, NodeCore core)
    {
        if (!core.Meta.IsLeader)
        {
            return;
        }

        var map = core.Map;
        var meta = core.Meta.Status;
        var joiner = _nodes[^1];
        if (Settings.Placement && map.IsBootstrapped && (!_joinerStarted || map.Node(joiner.Id) is not null))
        {
            PlacementSteward(node, core);
            return;
        }

        if (!map.IsBootstrapped)
        {
            core.Propose(++_nextTicket, 0, MetaStateMachine.Encode(_bootstrap));
        }
        else if (_joinerStarted && map.Node(joiner.Id) is null)
        {
            core.Propose(++_nextTicket, 0, MetaStateMachine.Encode(new RegisterNode(new NodeRecord(joiner.Id, $"{joiner.Id}:1", "", 1, NodeRecord.Active))));
        }
        else if (_joinerStarted && !meta.Voters.Contains(joiner.Id) && !meta.Learners.Contains(joiner.Id))
        {
            core.Propose(++_nextTicket, 0, null, new ConfChange(ConfChangeType.AddLearner, joiner.ReplicaId));
        }
        else if (meta.Learners.Contains(joiner.Id) && meta.CaughtUp.Contains(joiner.Id))
        {
            core.Propose(++_nextTicket, 0, null, new ConfChange(ConfChangeType.AddVoter, joiner.ReplicaId));
        }
        else
        {
            Operate(node, core);
        }
    }

    // ---- Faults -----------------------------------------------------------------------------------------------

    private void Fault()
    {
        if (_healedAt >= 0)
        {
            return;
        }

        var node = _nodes[Random.Next(_nodes.Count)];
        switch (Random.Next(10))
        {
            case 0 or 1:
                // Mid-save, the batch did or did not reach the disk (a torn last record is cut at recovery).
                Crash(node, keepSave: Random.Next(2) == 0);
                break;
            case 2:
                _partitions++;
                var until = Random.Next(100, 800);
                foreach (var other in _nodes.Where(n => n != node))
                {
                    _cuts.Add((node.Index, other.Index));
                    _cuts.Add((other.Index, node.Index));
                }

                _events.After(until, () => _cuts.RemoveWhere(c => c.From == node.Index || c.To == node.Index));
                break;
            case 3:
                _partitions++;
                var other1 = _nodes[Random.Next(_nodes.Count)];
                if (other1 != node)
                {
                    _cuts.Add((node.Index, other1.Index));
                    _events.After(Random.Next(100, 600), () => _cuts.Remove((node.Index, other1.Index)));
                }

                break;
            case 4 when Settings.Reads == ReadOnlyOption.Safe:
                node.PausedUntil = Math.Max(node.PausedUntil, Now + Random.Next(30, 400));
                break;
            case 5:
                node.SlowDiskUntil = Now + Random.Next(100, 800);
                break;
            case 6:
                if (node.IsUp)
                {
                    node.NextSaveFails = true;
                }

                break;
            case 8:
                // An operator's leadership transfer: a group's leader hands over to another voter.
                if (node.Core is { } leaderCore && leaderCore.Groups.Where(g => g.Status.Role == RaftRole.Leader).ToList() is { Count: > 0 } led)
                {
                    var group = led[Random.Next(led.Count)];
                    var others = group.Status.Voters.Where(v => v != node.Id).ToList();
                    if (others.Count > 0)
                    {
                        var name = others[Random.Next(others.Count)];
                        var transferee = ShardRecord.ShardOf(group.GroupId) is { } shardId && leaderCore.Map.Shard(shardId) is { } record
                            ? record.ReplicaIdOf(name)
                            : ReplicaIds.For(name);
                        _transfers++;
                        node.Enqueue(core => core.TransferLeadership(group.GroupId, transferee));
                        ScheduleTurn(node);
                    }
                }

                break;
            case 9:
                // A forced election: some replica campaigns at once, whoever leads.
                if (node.Core is { } campaigner && campaigner.Groups.ToList() is { Count: > 0 } hosted)
                {
                    var group = hosted[Random.Next(hosted.Count)].GroupId;
                    node.Enqueue(core => core.Campaign(group));
                    ScheduleTurn(node);
                }

                break;
            default:
                // A crash of every node at once.
                if (Random.Next(4) == 0)
                {
                    foreach (var each in _nodes)
                    {
                        Crash(each, keepSave: Random.Next(2) == 0);
                    }
                }

                break;
        }

        _events.After(Settings.FaultInterval + Random.Next(Settings.FaultInterval), Fault);
    }

    private void Heal()
    {
        _healedAt = Now;
        Trace.Add(Now, "heal", 0);
        _cuts.Clear();
        foreach (var node in _nodes)
        {
            node.PausedUntil = 0;
            node.SlowDiskUntil = 0;
            node.NextSaveFails = false;
            if (!node.IsUp && (node.Index <= CoreSimulationSettings.FoundingNodes || _joinerStarted))
            {
                StartNode(node);
            }
        }
    }

    // ---- Clients ----------------------------------------------------------------------------------------------

    private bool Served(int shard) => _healedAt >= 0 && _served.TryGetValue(shard, out var s) && s.Write > _healedAt && s.Read > _healedAt;

    private bool AllServed() => _healedAt >= 0 && Enumerable.Range(0, Settings.Shards).All(Served);

    private void NextOperation(CoreClient client)
    {
        if (_healedAt >= 0 && AllServed())
        {
            return;
        }

        var key = _keys[Random.Next(_keys.Count)];
        var input = Random.Next(2) == 0
            ? NodeNomadKvInput.Get(key)
            : NodeNomadKvInput.Put(key, $"c{client.Id}-{client.Attempt + 1}");
        client.Begin(input, Now);
        Attempt(client, null);
    }

    private void Attempt(CoreClient client, string? target)
    {
        var input = client.Input!;
        var shard = _genesis.ShardForKey(input.Key)!;
        var node = _nodes.FirstOrDefault(n => n.Id == target && n.IsUp)
            ?? _nodes[Random.Next(_nodes.Count)];
        var attempt = client.NextAttempt();
        Trace.Add(Now, "attempt", (ulong)client.Id, (ulong)attempt, (ulong)node.Index);
        _events.After(CoreSimulationSettings.RequestTimeout, () =>
        {
            if (client.Awaits(attempt))
            {
                Finish(client, certainlyFailed: input.Kind == NodeNomadKvOperationKind.Get);
            }
        });
        _events.After(1 + Random.Next(Settings.MaxDelay), () =>
        {
            if (node.IsUp)
            {
                node.Enqueue(core => Serve(node, core, client, attempt, input, shard));
                ScheduleTurn(node);
            }
        });
    }

    /// <summary>What a node's API does with a client's request, on the node: serve it from its replica, or say it has none.</summary>
    private void Serve(CoreSimNode node, NodeCore core, CoreClient client, int attempt, NodeNomadKvInput input, ShardRecord shard)
    {
        if (!core.Shards.TryGetValue(shard.Id, out var replica) || replica.IsRemoved)
        {
            Reply(client, attempt, () => Retry(client, null));
            return;
        }

        var ticket = ++_nextTicket;
        if (input.Kind == NodeNomadKvOperationKind.Put)
        {
            _waiting[ticket] = outcome => Reply(client, attempt, () => Written(client, shard.Id, outcome));
            core.Propose(ticket, replica.GroupId, KvCommandCodec.Encode(new SetCommand(input.Key, input.Value!, null, node.CommandClock.Next())));
        }
        else
        {
            _waiting[ticket] = outcome =>
            {
                // Read where the API reads: the state as applied when the read completes, expiry judged at the leader's time.
                var value = outcome.IsDone ? replica.Read(m => m.Get(input.Key, outcome.ReadTime != 0 ? outcome.ReadTime : node.CommandClock.Now))?.Value.Text : null;
                Reply(client, attempt, () => ReadDone(client, shard.Id, outcome, value));
            };
            core.Read(ticket, replica.GroupId);
        }
    }

    private void Reply(CoreClient client, int attempt, Action answer) =>
        _events.After(1 + Random.Next(Settings.MaxDelay), () =>
        {
            if (client.Awaits(attempt))
            {
                client.Answered();
                answer();
            }
        });

    private void Written(CoreClient client, int shard, Outcome outcome)
    {
        Trace.Add(Now, "written-" + outcome.Kind, (ulong)client.Id, (ulong)client.Attempt);
        switch (outcome.Kind)
        {
            case OutcomeKind.Done:
                client.Complete(NodeNomadKvOutput.Ok, Now);
                _served[shard] = (Now, _served.GetValueOrDefault(shard).Read);
                _events.After(Random.Next(0, 10), () => NextOperation(client));
                break;
            case OutcomeKind.NotLeader:
                Retry(client, outcome.Leader);
                break;
            default:
                Finish(client, certainlyFailed: false);
                break;
        }
    }

    private void ReadDone(CoreClient client, int shard, Outcome outcome, string? value)
    {
        if (outcome.IsDone)
        {
            client.Complete(NodeNomadKvOutput.Read(value), Now);
            _served[shard] = (_served.GetValueOrDefault(shard).Write, Now);
            _events.After(Random.Next(0, 10), () => NextOperation(client));
            return;
        }

        Retry(client, outcome.Leader);
    }

    private void Retry(CoreClient client, string? target)
    {
        if (client.Tries >= 8)
        {
            Finish(client, certainlyFailed: true);
            return;
        }

        _events.After(Random.Next(1, 20), () => Attempt(client, target));
    }

    /// <summary>Ends the operation: never happened when every attempt certainly failed, else unknown.</summary>
    private void Finish(CoreClient client, bool certainlyFailed)
    {
        Trace.Add(Now, certainlyFailed ? "abandon" : "unknown", (ulong)client.Id, (ulong)client.Attempt);
        if (certainlyFailed)
        {
            client.Abandon();
        }
        else
        {
            client.GiveUp();
        }

        _events.After(Random.Next(0, 20), () => NextOperation(client));
    }
}
