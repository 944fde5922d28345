using NodeNomad.Core.Cluster;

namespace NodeNomad.Raft.Simulation.Tests;

/// <summary>
/// The meta group's state machine: the shard map, one <see cref="ShardedPlacement"/> per shard. The list is
/// replaced, never changed, when a command applies, so a reader (a client's cache, a node's view) may keep it.
/// </summary>
internal sealed class ShardedMetaState(IReadOnlyList<ShardedPlacement> placements)
{
    public IReadOnlyList<ShardedPlacement> Placements { get; private set; } = placements;

    /// <summary>
    /// A new cluster's map, known to every node and client: <paramref name="shards"/> equal ranges, shard s on
    /// <paramref name="replicationFactor"/> consecutive nodes from node s (round-robin), epoch 1, replica ids
    /// counted from <paramref name="firstPeer"/>.
    /// </summary>
    public static ShardedMetaState Genesis(int shards, int nodes, int replicationFactor, ulong firstPeer)
    {
        var ranges = HashRange.Split(shards);
        var placements = new ShardedPlacement[shards];
        for (var i = 0; i < shards; i++)
        {
            var replicas = Enumerable.Range(0, replicationFactor)
                .Select(j => (Node: (ulong)((i + j) % nodes) + 1, Peer: firstPeer + (ulong)(i * replicationFactor) + (ulong)j))
                .OrderBy(replica => replica.Node)
                .ToArray();
            placements[i] = new ShardedPlacement(i + 1, ranges[i], replicas, 1);
        }

        return new ShardedMetaState(placements);
    }

    /// <summary>The shard that owns <paramref name="position"/> in <paramref name="map"/>.</summary>
    public static ShardedPlacement ShardOf(IReadOnlyList<ShardedPlacement> map, ulong position)
    {
        ArgumentNullException.ThrowIfNull(map);
        foreach (var placement in map)
        {
            if (placement.Range.Contains(position))
            {
                return placement;
            }
        }

        throw new InvalidOperationException($"No shard owns position {position:x16}: the ranges must cover the whole space.");
    }

    /// <summary>Records a move if the shard is still at the command's epoch; returns whether it did.</summary>
    public bool Apply(ShardedMetaCommand command)
    {
        ArgumentNullException.ThrowIfNull(command);
        var current = Placements[command.Shard - 1];
        if (current.Epoch != command.ExpectedEpoch)
        {
            return false;
        }

        var replicas = current.Replicas
            .Where(replica => replica != (command.RemovedNode, command.RemovedPeer))
            .Append((command.AddedNode, command.AddedPeer))
            .OrderBy(replica => replica.Item1)
            .ToArray();
        var next = Placements.ToArray();
        next[command.Shard - 1] = current with { Replicas = replicas, Epoch = current.Epoch + 1 };
        Placements = next;
        return true;
    }

    public byte[] Serialize()
    {
        using var stream = new MemoryStream();
        using var writer = new BinaryWriter(stream);
        writer.Write(Placements.Count);
        foreach (var placement in Placements)
        {
            writer.Write(placement.Shard);
            writer.Write(placement.Range.Start);
            writer.Write(placement.Range.End);
            writer.Write(placement.Epoch);
            writer.Write(placement.Replicas.Count);
            foreach (var (node, peer) in placement.Replicas)
            {
                writer.Write(node);
                writer.Write(peer);
            }
        }

        writer.Flush();
        return stream.ToArray();
    }

    public static ShardedMetaState Restore(ReadOnlyMemory<byte> bytes)
    {
        using var reader = new BinaryReader(new MemoryStream(bytes.ToArray()));
        var placements = new ShardedPlacement[reader.ReadInt32()];
        for (var i = 0; i < placements.Length; i++)
        {
            var shard = reader.ReadInt32();
            var range = new HashRange(reader.ReadUInt64(), reader.ReadUInt64());
            var epoch = reader.ReadUInt64();
            var replicas = new (ulong Node, ulong Peer)[reader.ReadInt32()];
            for (var j = 0; j < replicas.Length; j++)
            {
                replicas[j] = (reader.ReadUInt64(), reader.ReadUInt64());
            }

            placements[i] = new ShardedPlacement(shard, range, replicas, epoch);
        }

        return new ShardedMetaState(placements);
    }

    public ulong Fingerprint() => Fnv.Add(Fnv.Offset, Serialize());
}
