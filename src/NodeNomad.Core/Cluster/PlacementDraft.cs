namespace NodeNomad.Core.Cluster;

/// <summary>
/// A placement being changed by a plan: who holds what, and the moves made so far. Nodes are indices: the ring's
/// nodes first, then a leaving node, which has capacity 0 and is never a target.
/// </summary>
internal sealed class PlacementDraft
{
    private readonly string[] names;
    private readonly int ringNodes;
    private readonly int[][] replicas;
    private readonly bool[][] holds;
    private readonly int[] load;
    private readonly int[] capacity;
    private readonly int[] floor;
    private readonly double[] share;
    private readonly Func<int, int, ulong> measure;
    private readonly ulong[][] distance;
    private readonly bool[][] measured;
    private readonly List<ReplicaMove> moves = [];

    /// <param name="names">Node ids by index.</param>
    /// <param name="replicas">Shard id → its replicas' node indices; changed in place.</param>
    /// <param name="capacity">The most replicas each node may end with.</param>
    /// <param name="floor">The fewest replicas each ring node must end with.</param>
    /// <param name="share">Each ring node's share, to rank donors by how far above it they are.</param>
    /// <param name="measure">(shard id, ring node) → clockwise distance from the shard's token to the node's first token.</param>
    public PlacementDraft(string[] names, int[][] replicas, int[] capacity, int[] floor, double[] share, Func<int, int, ulong> measure)
    {
        this.names = names;
        this.replicas = replicas;
        this.capacity = capacity;
        this.floor = floor;
        this.share = share;
        this.measure = measure;
        ringNodes = share.Length;
        load = new int[names.Length];
        holds = new bool[replicas.Length][];
        distance = new ulong[replicas.Length][];
        measured = new bool[replicas.Length][];
        for (var shard = 0; shard < replicas.Length; shard++)
        {
            distance[shard] = new ulong[ringNodes];
            measured[shard] = new bool[ringNodes];
            holds[shard] = new bool[names.Length];
            foreach (var node in replicas[shard])
            {
                holds[shard][node] = true;
                load[node]++;
            }
        }
    }

    /// <summary>
    /// The moves that bring every node within its capacity and up to its floor. Every replica above a capacity
    /// must move and every replica below a floor must arrive, so a move that does both serves twice: replicas
    /// leave the most overloaded node first, for a node below its floor when there is one, and only then does a
    /// node below its floor take replicas from the nodes furthest above their share.
    /// </summary>
    public List<ReplicaMove> Balance()
    {
        while (MostOverloaded() is int source)
        {
            if (!TryMoveDirectly(source))
            {
                MoveAlongChain(source);
            }
        }

        for (var node = 0; node < ringNodes; node++)
        {
            while (load[node] < floor[node])
            {
                TakeFromFullest(node);
            }
        }

        return moves;
    }

    /// <summary>The node furthest above its capacity (the leaving node first), or null when none is.</summary>
    private int? MostOverloaded()
    {
        int? worst = null;
        for (var node = names.Length - 1; node >= 0; node--)
        {
            if (load[node] > capacity[node] && (worst is not int w || load[node] - capacity[node] > load[w] - capacity[w]))
            {
                worst = node;
            }
        }

        return worst;
    }

    /// <summary>
    /// Moves one replica from <paramref name="source"/> to a node with room that lacks the shard: to a node below
    /// its floor if one can take it, else to the one nearest in the shard's ring walk. False when no node can.
    /// </summary>
    private bool TryMoveDirectly(int source)
    {
        (int Shard, int Target, int Rank, ulong Distance)? best = null;
        for (var shard = 0; shard < replicas.Length; shard++)
        {
            if (!holds[shard][source])
            {
                continue;
            }

            for (var target = 0; target < ringNodes; target++)
            {
                if (holds[shard][target] || load[target] >= capacity[target])
                {
                    continue;
                }

                var rank = load[target] < floor[target] ? 0 : 1;
                var far = Distance(shard, target);
                if (best is not { } b || rank < b.Rank || (rank == b.Rank && far < b.Distance))
                {
                    best = (shard, target, rank, far);
                }
            }
        }

        if (best is not { } chosen)
        {
            return false;
        }

        Move(chosen.Shard, source, chosen.Target);
        return true;
    }

    /// <summary>
    /// When every node with room already holds every shard of <paramref name="source"/>, a replica reaches room
    /// through full nodes: source → a full node lacking one of its shards → … → a node with room, one move per
    /// hop, along the shortest such chain. Moves are made from the far end back, so no node passes its capacity
    /// in between.
    /// </summary>
    private void MoveAlongChain(int source)
    {
        var previous = new int[ringNodes];
        Array.Fill(previous, -1);
        var queue = new Queue<int>([source]);
        var end = -1;
        while (end < 0 && queue.TryDequeue(out var from))
        {
            for (var to = 0; to < ringNodes && end < 0; to++)
            {
                if (to == from || previous[to] >= 0 || to == source || NearestShardLacking(from, to) < 0)
                {
                    continue;
                }

                previous[to] = from;
                if (load[to] < capacity[to])
                {
                    end = to;
                }
                else
                {
                    queue.Enqueue(to);
                }
            }
        }

        // With equal weights a chain always exists. A node with room that no chain reaches holds every shard of
        // every node a chain reaches: if that includes a full node, it holds at least a full node's load, which is
        // its own capacity; if only the source, every ring node holds the source's shards, more replicas than the
        // replication factor allows. Unequal weights give unequal capacities, where the first step does not hold.
        if (end < 0)
        {
            throw new InvalidOperationException($"No node with room can take a replica from node '{names[source]}'.");
        }

        for (var to = end; to != source; to = previous[to])
        {
            Move(NearestShardLacking(previous[to], to), previous[to], to);
        }
    }

    /// <summary>Brings <paramref name="target"/> one replica nearer its floor, from the node furthest above its share.</summary>
    private void TakeFromFullest(int target)
    {
        (int Source, int Shard)? best = null;
        for (var source = 0; source < ringNodes; source++)
        {
            if (source == target || (best is { } b && load[source] - share[source] <= load[b.Source] - share[b.Source]))
            {
                continue;
            }

            var shard = NearestShardLacking(source, target);
            if (shard >= 0)
            {
                best = (source, shard);
            }
        }

        // With equal weights a node below its floor holds fewer replicas than some other node, which then holds a
        // shard it lacks. Unequal weights give unequal floors, where that argument does not hold.
        if (best is not { } chosen)
        {
            throw new InvalidOperationException($"No node can give node '{names[target]}' a replica.");
        }

        Move(chosen.Shard, chosen.Source, target);
    }

    /// <summary>The shard held by <paramref name="source"/> and not <paramref name="target"/> whose ring walk meets the target soonest, or −1.</summary>
    private int NearestShardLacking(int source, int target)
    {
        var nearest = -1;
        for (var shard = 0; shard < replicas.Length; shard++)
        {
            if (holds[shard][source] && !holds[shard][target] && (nearest < 0 || Distance(shard, target) < Distance(nearest, target)))
            {
                nearest = shard;
            }
        }

        return nearest;
    }

    /// <summary>The ring distance, measured the first time it is asked for: most plans need few of them.</summary>
    private ulong Distance(int shard, int node)
    {
        if (!measured[shard][node])
        {
            distance[shard][node] = measure(shard, node);
            measured[shard][node] = true;
        }

        return distance[shard][node];
    }

    private void Move(int shard, int from, int to)
    {
        replicas[shard][Array.IndexOf(replicas[shard], from)] = to;
        holds[shard][from] = false;
        holds[shard][to] = true;
        load[from]--;
        load[to]++;
        moves.Add(new ReplicaMove(shard, names[from], names[to]));
    }
}
