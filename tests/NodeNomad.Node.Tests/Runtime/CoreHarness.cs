using NodeNomad.Core.Cluster;
using NodeNomad.Node.Runtime;
using NodeNomad.Raft;
using NodeNomad.Simulation;

namespace NodeNomad.Node.Tests.Runtime;

/// <summary>
/// A few <see cref="NodeCore"/>s wired by hand: saves complete at once (into a <see cref="SimulatedLog"/>), messages
/// wait on a wire until a test delivers them, so a test can hold, reorder or drop exactly the ones it cares about.
/// </summary>
internal sealed class CoreHarness
{
    private readonly List<ClusterMember> _members;
    private readonly BootstrapCluster _bootstrap;
    private long _ticket;

    public CoreHarness(params string[] ids)
        : this(0, ids)
    {
    }

    /// <summary>A cluster of <paramref name="ids"/> whose elections are decided by <paramref name="seed"/>.</summary>
    public CoreHarness(int seed, params string[] ids)
        : this(seed, snapshotEntries: null, ids)
    {
    }

    /// <summary>A cluster of <paramref name="ids"/> whose groups are snapshotted every <paramref name="snapshotEntries"/> entries (the default when null).</summary>
    public CoreHarness(int seed, int? snapshotEntries, params string[] ids)
    {
        Seed = seed;
        SnapshotEntries = snapshotEntries;
        _members = [.. ids.Select(id => new ClusterMember(id, id, 1))];
        var nodes = ids.Select(id => new NodeRecord(id, $"{id}:1", "", 1, NodeRecord.Active)).ToList();
        _bootstrap = new BootstrapCluster("harness", ids.Length, nodes, [new ShardRecord(0, 0, ulong.MaxValue, ids, [], ShardRecord.FirstEpoch)]);
        foreach (var id in ids)
        {
            Members[id] = new Member(id);
            Start(id);
        }
    }

    public int Seed { get; }

    public int? SnapshotEntries { get; }

    public Dictionary<string, Member> Members { get; } = new(StringComparer.Ordinal);

    /// <summary>Messages sent and not delivered yet.</summary>
    public List<(string From, string To, ulong Group, Message Message)> Wire { get; } = [];

    public Dictionary<long, Outcome> Completed { get; } = [];

    public static ulong ShardGroup => ShardRecord.GroupOf(0);

    public long NextTicket() => ++_ticket;

    /// <summary>(Re)starts <paramref name="id"/> from its log, as a restarted process would, with a new incarnation.</summary>
    public void Start(string id)
    {
        var member = Members[id];
        member.Life++;
        var clock = new CommandClock(TimeProvider.System);
        var settings = new NodeCoreSettings { SelfId = id, Seed = Seed + id.Sum(c => c) + member.Life, Incarnation = member.Life * 1000L + id.Length };
        member.Core = new NodeCore(
            SnapshotEntries is { } entries ? settings with { SnapshotEntries = entries } : settings,
            new PeerAddressBook(id, _members),
            clock,
            TimeProvider.System);
        member.Core.Recover(member.Log.Recover(), new ConfState([.. _members.Select(m => m.ReplicaId).Order()], [], []));
        Turn(id);
        member.Core.PlaceReplicas();
        Turn(id);
    }

    /// <summary>Runs <paramref name="id"/>'s turns until none is due: save at once, then send and answer.</summary>
    public void Turn(string id)
    {
        var member = Members[id];
        var core = member.Core!;
        while (true)
        {
            Take(id, core.TakeOutput());
            if (core.Prepare() is not { } plan)
            {
                break;
            }

            Take(id, new TurnOutput(plan.SendNow, [], [], []));
            Take(id, core.TakeOutput());
            if (plan.Save is { } batch)
            {
                member.Log.Save(batch);
            }

            core.Persisted();
            var output = core.TakeOutput();
            Take(id, output);
            foreach (var compaction in output.Compactions)
            {
                var snapshot = compaction.InMemory();
                member.Log.Compact(compaction.GroupId, snapshot);
                core.Compacted(compaction, snapshot);
            }
        }
    }

    /// <summary>Delivers the waiting messages that <paramref name="which"/> picks (all by default), and what they cause, until none is picked.</summary>
    public void Deliver(Func<(string From, string To, ulong Group, Message Message), bool>? which = null, int rounds = 50)
    {
        for (var round = 0; round < rounds; round++)
        {
            var picked = Wire.Where(w => which?.Invoke(w) ?? true).ToList();
            if (picked.Count == 0)
            {
                return;
            }

            foreach (var message in picked)
            {
                Wire.Remove(message);
                Members[message.To].Core!.Step(message.Group, message.Message);
            }

            foreach (var to in picked.Select(p => p.To).Distinct())
            {
                Turn(to);
            }
        }
    }

    /// <summary>Ticks <paramref name="ids"/> (everyone by default) <paramref name="times"/> times, delivering what the ticks send between them.</summary>
    public void Tick(int times, Func<(string From, string To, ulong Group, Message Message), bool>? deliver = null, params string[] ids)
    {
        var ticking = ids.Length > 0 ? ids : [.. Members.Keys];
        for (var i = 0; i < times; i++)
        {
            foreach (var id in ticking)
            {
                Members[id].Core!.Tick();
                Turn(id);
            }

            Deliver(deliver);
        }
    }

    /// <summary>Elects leaders and creates the cluster: ticks until the map is bootstrapped and the shard has a leader.</summary>
    public string Settle()
    {
        for (var i = 0; i < 200; i++)
        {
            Tick(1);
            var meta = Members.Values.FirstOrDefault(m => m.Core!.Meta.IsLeader);
            if (meta is not null && !meta.Core!.Map.IsBootstrapped)
            {
                meta.Core.Propose(NextTicket(), 0, MetaStateMachine.Encode(_bootstrap));
                Turn(meta.Id);
            }

            if (Members.Values.FirstOrDefault(m => m.Core!.Shards.TryGetValue(0, out var s) && s.IsLeader) is { } leader
                && Members.Values.All(m => m.Core!.Shards.ContainsKey(0)))
            {
                return leader.Id;
            }
        }

        throw new InvalidOperationException("The harness's cluster did not settle.");
    }

    private void Take(string from, TurnOutput output)
    {
        foreach (var (group, message) in output.Sends)
        {
            if (Members.Values.FirstOrDefault(m => ReplicaIds.For(m.Id) == message.To) is { } to)
            {
                Wire.Add((from, to.Id, group, message));
            }
        }

        foreach (var (ticket, outcome) in output.Completions)
        {
            Completed[ticket] = outcome;
        }
    }

    internal sealed class Member(string id)
    {
        public string Id { get; } = id;

        public NodeCore? Core { get; set; }

        public SimulatedLog Log { get; } = new();

        public int Life { get; set; }
    }
}
