using NodeNomad.Raft;

namespace NodeNomad.Raft.Tests.Harness;

/// <summary>
/// A tiny deterministic network of replicas: messages queue until delivered; links can be cut (partitions,
/// isolation) or messages dropped. After every step the Raft safety properties are checked.
/// </summary>
internal sealed class RaftNetwork
{
    private readonly Dictionary<ulong, int> _partitionOf = [];
    private readonly InvariantChecker _checker = new();

    public RaftNetwork(int voters, Func<ulong, RaftConfig>? configure = null, int seed = 1)
    {
        Seed = seed;
        Configure = configure ?? (id => Config(id, seed));
        var members = ConfState.OfVoters([.. Enumerable.Range(1, voters).Select(i => (ulong)i)]);
        for (ulong id = 1; id <= (ulong)voters; id++)
        {
            Add(id, members);
        }

        // The hosts persist and apply the initial members before anything else happens.
        ProcessAll();
    }

    public int Seed { get; }

    public Func<ulong, RaftConfig> Configure { get; }

    public SortedDictionary<ulong, TestNode> Nodes { get; } = [];

    /// <summary>Messages sent and not yet delivered, in send order.</summary>
    public List<Message> Pending { get; } = [];

    /// <summary>Extra drop rule, applied at delivery.</summary>
    public Func<Message, bool>? Drop { get; set; }

    public TestNode this[ulong id] => Nodes[id];

    public RaftNode Raft(ulong id) => Nodes[id].Raft;

    public static RaftConfig Config(ulong id, int seed = 1) => new()
    {
        Id = id,
        ElectionTick = 10,
        HeartbeatTick = 1,
        Random = new Random(seed * 1000 + (int)id),
    };

    /// <summary>Without check-quorum there is no lease, so a chosen replica can be elected at once after a partition.</summary>
    public static RaftConfig NoLease(ulong id) => Config(id) with { CheckQuorum = false };

    /// <summary>Adds a replica: a member of <paramref name="initialMembers"/>, or (null) one that joins an existing group.</summary>
    public TestNode Add(ulong id, ConfState? initialMembers)
    {
        var node = new TestNode(id, () => Configure(id), initialMembers);
        Nodes[id] = node;
        return node;
    }

    /// <summary>Splits the replicas into groups that cannot talk to each other; unnamed ones form one more group.</summary>
    public void Partition(params ulong[][] groups)
    {
        _partitionOf.Clear();
        for (var g = 0; g < groups.Length; g++)
        {
            foreach (var id in groups[g])
            {
                _partitionOf[id] = g + 1;
            }
        }
    }

    public void Isolate(ulong id) => Partition([id]);

    public void Heal() => _partitionOf.Clear();

    public bool Connected(ulong a, ulong b) =>
        _partitionOf.GetValueOrDefault(a) == _partitionOf.GetValueOrDefault(b);

    /// <summary>Lets every live replica handle its Ready; queues what they send.</summary>
    public void ProcessAll()
    {
        foreach (var node in Nodes.Values)
        {
            if (!node.Down)
            {
                Pending.AddRange(node.ProcessReady());
            }
        }

        _checker.Check(this);
    }

    /// <summary>Delivers the messages pending now (not those they cause); returns them with whether each arrived.</summary>
    public List<(Message Message, bool Delivered)> DeliverPending(Func<Message, bool>? drop = null)
    {
        var batch = Pending.ToList();
        Pending.Clear();
        var result = new List<(Message, bool)>(batch.Count);
        foreach (var message in batch)
        {
            var arrives = Nodes.TryGetValue(message.To, out var target)
                && !target.Down
                && !(Nodes.TryGetValue(message.From, out var source) && source.Down)
                && Connected(message.From, message.To)
                && drop?.Invoke(message) != true
                && Drop?.Invoke(message) != true;
            if (arrives)
            {
                target!.Raft.Step(message);
            }

            // The transport tells the leader how a snapshot send ended, as a real one would.
            if (message.Type == MessageType.Snapshot && Nodes.TryGetValue(message.From, out var sender) && !sender.Down)
            {
                sender.Raft.ReportSnapshot(message.To, arrives);
            }

            result.Add((message, arrives));
        }

        ProcessAll();
        return result;
    }

    /// <summary>Delivers rounds of messages until one of them satisfies <paramref name="until"/>; returns that message.</summary>
    public Message DeliverUntil(Func<Message, bool> until, int maxRounds = 100)
    {
        ProcessAll();
        for (var round = 0; round < maxRounds; round++)
        {
            if (Pending.FirstOrDefault(until) is { } found)
            {
                return found;
            }

            DeliverPending();
        }

        throw new InvalidOperationException("No such message was sent.");
    }

    /// <summary>Delivers until no message is pending; returns everything delivered or dropped.</summary>
    public List<(Message Message, bool Delivered)> Stabilize(int maxRounds = 1000)
    {
        ProcessAll();
        var all = new List<(Message Message, bool Delivered)>();
        for (var round = 0; Pending.Count > 0; round++)
        {
            if (round == maxRounds)
            {
                var last = string.Join("\n", all.TakeLast(12).Select(d => Describe.Message(d.Message) + (d.Delivered ? "" : " DROPPED")));
                var states = string.Join("\n", Nodes.Values.Select(Describe.Node));
                throw new InvalidOperationException($"The network did not quiesce; last messages:\n{last}\n{states}");
            }

            all.AddRange(DeliverPending());
        }

        return all;
    }

    public void Tick(ulong id, int times = 1)
    {
        for (var i = 0; i < times; i++)
        {
            if (!Nodes[id].Down)
            {
                Nodes[id].Raft.Tick();
            }

            ProcessAll();
        }
    }

    public void TickAll(int times = 1)
    {
        for (var i = 0; i < times; i++)
        {
            foreach (var node in Nodes.Values)
            {
                if (!node.Down)
                {
                    node.Raft.Tick();
                }
            }

            ProcessAll();
        }
    }

    /// <summary>Campaigns and delivers until quiet; the replica should then lead.</summary>
    public void Elect(ulong id)
    {
        Raft(id).Campaign();
        Stabilize();
    }

    public ProposeResult Propose(ulong id, string data)
    {
        var result = Raft(id).Propose(System.Text.Encoding.UTF8.GetBytes(data));
        ProcessAll();
        return result;
    }

    /// <summary>
    /// Heals everything, restarts crashed replicas, then ticks and delivers until a leader has committed a marker
    /// entry that every member of its membership applied (liveness once the network is good). Returns the leader.
    /// </summary>
    public TestNode SettleAndCommitEverywhere(int maxRounds = 300)
    {
        Heal();
        Drop = null;
        foreach (var down in Nodes.Values.Where(n => n.Down).ToList())
        {
            Restart(down.Id);
        }

        for (var round = 0; round < maxRounds; round++)
        {
            TickAll();
            Stabilize();
            var leader = Leaders.OrderByDescending(n => n.Raft.Status.HardState.Term).FirstOrDefault();
            if (leader is null)
            {
                continue;
            }

            var members = leader.Raft.Status.ConfState;
            var everywhere = members.Voters.Concat(members.Learners)
                .All(id => AppliedData(id).Any(d => d.StartsWith("settled", StringComparison.Ordinal)));
            if (everywhere && AppliedData(leader.Id).Any(d => d.StartsWith("settled", StringComparison.Ordinal)))
            {
                return leader;
            }

            if (round % 10 == 0)
            {
                Propose(leader.Id, $"settled-{round}");
            }
        }

        throw new InvalidOperationException("No leader committed an entry on every member: " + string.Join("; ", Nodes.Values.Select(Describe.Node)));
    }

    public void Crash(ulong id)
    {
        Nodes[id].Down = true;
        Pending.RemoveAll(m => m.From == id);
    }

    public void Restart(ulong id)
    {
        Nodes[id].Restart();
        ProcessAll();
    }

    public IEnumerable<TestNode> Leaders => Nodes.Values.Where(n => !n.Down && n.Raft.Status.SoftState.Role == RaftRole.Leader);

    public List<string> AppliedData(ulong id) =>
        [.. Nodes[id].History.Where(e => e.Type == EntryType.Normal && e.Data.Length > 0).Select(e => e.Data)];
}
