namespace NodeNomad.Raft.Simulation.Tests;

/// <summary>
/// One node of the sharded cluster: the replicas it hosts (one per group at most: the meta group's and some
/// shards'), and its one host loop. Each step of the loop collects the Ready of every group, makes them durable
/// together (one write, one simulated fsync), sends their messages batched into one packet per peer node, applies
/// them, and advances every group. A crash takes down every replica at once and loses whatever the loop had not
/// made durable; which replicas the node hosts is durable too (created and deleted with their own writes).
/// </summary>
internal sealed class ShardedSimulatedNode(ShardedClusterSimulation cluster, ulong id, int tickPeriod)
{
    private readonly SortedDictionary<int, ShardedGroupReplica> _replicas = [];
    private readonly HashSet<ShardedGroupReplica> _readied = [];

    public ulong Id { get; } = id;

    /// <summary>This node's tick period in milliseconds: its clock runs a little fast or slow.</summary>
    public int TickPeriod { get; } = tickPeriod;

    public bool IsUp { get; private set; }

    /// <summary>Bumped at every start and crash, so that events of an earlier life are ignored.</summary>
    public int Incarnation { get; private set; }

    /// <summary>Until when the node's process is frozen: it neither ticks nor reads its inbox.</summary>
    public long PausedUntil { get; set; }

    public bool ReadyScheduled { get; set; }

    /// <summary>The replicas this node hosts (up or, while the node is down, waiting on disk).</summary>
    public IEnumerable<ShardedGroupReplica> Replicas => _replicas.Values;

    /// <summary>The shard map as this node's meta replica has applied it; null while the node is down.</summary>
    public IReadOnlyList<ShardedPlacement>? MetaView => Live(0)?.Meta?.Placements;

    /// <summary>Whether a replica of <paramref name="group"/> lives here, up or not.</summary>
    public bool Hosts(int group) => _replicas.ContainsKey(group);

    /// <summary>The running replica of <paramref name="group"/>, if the node hosts one and is up.</summary>
    public ShardedGroupReplica? Live(int group) => _replicas.TryGetValue(group, out var replica) && replica.IsUp ? replica : null;

    /// <summary>The running replica with Raft id <paramref name="peer"/> in <paramref name="group"/>, if any.</summary>
    public ShardedGroupReplica? Live(int group, ulong peer) => Live(group) is { } replica && replica.Peer == peer ? replica : null;

    /// <summary>
    /// The live replicas whose state may have changed since the last call: those with a Ready waiting, and those
    /// whose Ready the loop took meanwhile. Every change the safety checks look at (term, vote, commit, role, the
    /// log's end) makes a Ready due until the loop takes it, so the other replicas have not changed.
    /// </summary>
    public List<ShardedGroupReplica> TakeChanged()
    {
        var changed = _replicas.Values.Where(replica => replica.Node is { } node && (_readied.Contains(replica) || node.HasReady())).ToList();
        _readied.Clear();
        return changed;
    }

    /// <summary>Creates a replica here (a durable write of its own); it starts at once if the node is up.</summary>
    public void Host(ShardedGroupReplica replica)
    {
        ArgumentNullException.ThrowIfNull(replica);
        _replicas.Add(replica.Group, replica);
        if (IsUp)
        {
            replica.Start();
        }
    }

    /// <summary>Deletes a replica and its disk.</summary>
    public void Destroy(ShardedGroupReplica replica)
    {
        ArgumentNullException.ThrowIfNull(replica);
        replica.Destroy();
        _replicas.Remove(replica.Group);
    }

    public void Start()
    {
        IsUp = true;
        Incarnation++;
        ReadyScheduled = false;
        cluster.Trace.Add(cluster.Now, "node-start", Id, (ulong)_replicas.Count);
        foreach (var replica in _replicas.Values)
        {
            replica.Start();
        }
    }

    /// <summary>Loses everything not on disk, for every group at once.</summary>
    public void Crash()
    {
        IsUp = false;
        Incarnation++;
        ReadyScheduled = false;
        cluster.Trace.Add(cluster.Now, "crash", Id);
        foreach (var replica in _replicas.Values)
        {
            replica.Crash();
        }
    }

    public void Tick()
    {
        foreach (var replica in _replicas.Values)
        {
            replica.Node?.Tick();
        }
    }

    /// <summary>Runs the host loop until no group has anything left to do.</summary>
    public void HandleReadies()
    {
        ReadyScheduled = false;
        var incarnation = Incarnation;
        var batch = new List<(ShardedGroupReplica Replica, Ready Ready)>();
        var packets = new SortedDictionary<ulong, List<(ShardedGroupReplica Sender, Message Message)>>();
        var removed = new List<ShardedGroupReplica>();
        while (IsUp && Incarnation == incarnation)
        {
            batch.Clear();
            foreach (var replica in _replicas.Values)
            {
                if (replica.Node is { } node && node.HasReady())
                {
                    batch.Add((replica, node.Ready()));
                    _readied.Add(replica);
                }
            }

            if (batch.Count == 0)
            {
                return;
            }

            // (1) One durable write for every group's entries, hard state and snapshot: a crash before it loses all.
            var entries = 0;
            foreach (var (replica, ready) in batch)
            {
                replica.Persist(ready);
                entries += ready.Entries.Count;
            }

            cluster.Trace.Add(cluster.Now, "fsync", Id, (ulong)batch.Count, (ulong)entries);

            // (2) Send: messages to one node travel together; snapshots are streamed on their own.
            packets.Clear();
            foreach (var (replica, ready) in batch)
            {
                foreach (var message in ready.Messages)
                {
                    SafetyMonitor.Sending(replica.Peer, message, replica.Disk);
                    if (message.Snapshot is not null)
                    {
                        cluster.SendSnapshot(replica, message);
                        continue;
                    }

                    var to = cluster.NodeOf(message.To);
                    if (!packets.TryGetValue(to, out var packet))
                    {
                        packets[to] = packet = [];
                    }

                    packet.Add((replica, message));
                }
            }

            foreach (var (to, packet) in packets)
            {
                cluster.SendPacket(this, to, packet);
            }

            // (3) Apply, and serve the reads now applied.
            removed.Clear();
            foreach (var (replica, ready) in batch)
            {
                if (replica.Apply(ready))
                {
                    removed.Add(replica);
                }
            }

            // (4) Advance every group; a replica that applied its own removal is deleted.
            foreach (var (replica, ready) in batch)
            {
                replica.Advance(ready);
            }

            foreach (var replica in removed)
            {
                cluster.Trace.Add(cluster.Now, "removed", replica.Peer, (ulong)replica.Group, replica.Applied);
                Destroy(replica);
            }
        }
    }
}
