using System.Buffers.Binary;

namespace NodeNomad.Raft.Simulation.Tests;

/// <summary>
/// The meta group's one command: a shard's replica moved from one node to another. It applies only at the epoch
/// it was made for (a compare-and-set on the epoch), so a retried command that finds the move recorded does nothing.
/// Encoded with the same head as <see cref="KvCommand"/> (a kind byte, then the command id), so that
/// <see cref="SafetyMonitor"/> tracks it like any client command.
/// </summary>
/// <param name="CommandId">Unique per proposal attempt.</param>
/// <param name="Shard">The shard whose replica moved.</param>
/// <param name="ExpectedEpoch">The epoch the move started from.</param>
/// <param name="RemovedNode">The node that no longer replicates the shard.</param>
/// <param name="RemovedPeer">Its replica's Raft id.</param>
/// <param name="AddedNode">The node that now replicates it.</param>
/// <param name="AddedPeer">Its replica's Raft id.</param>
internal sealed record ShardedMetaCommand(ulong CommandId, int Shard, ulong ExpectedEpoch, ulong RemovedNode, ulong RemovedPeer, ulong AddedNode, ulong AddedPeer)
{
    /// <summary>After <see cref="KvCommandKind"/>'s values.</summary>
    public const byte Kind = 3;

    private const int Length = 1 + 8 + 4 + (8 * 5);

    public byte[] Encode()
    {
        var bytes = new byte[Length];
        var span = bytes.AsSpan();
        span[0] = Kind;
        BinaryPrimitives.WriteUInt64LittleEndian(span[1..], CommandId);
        BinaryPrimitives.WriteInt32LittleEndian(span[9..], Shard);
        BinaryPrimitives.WriteUInt64LittleEndian(span[13..], ExpectedEpoch);
        BinaryPrimitives.WriteUInt64LittleEndian(span[21..], RemovedNode);
        BinaryPrimitives.WriteUInt64LittleEndian(span[29..], RemovedPeer);
        BinaryPrimitives.WriteUInt64LittleEndian(span[37..], AddedNode);
        BinaryPrimitives.WriteUInt64LittleEndian(span[45..], AddedPeer);
        return bytes;
    }

    /// <summary>Decodes an entry written by <see cref="Encode"/>; anything else is a corrupted entry.</summary>
    public static ShardedMetaCommand Decode(ReadOnlySpan<byte> bytes)
    {
        if (bytes.Length != Length || bytes[0] != Kind)
        {
            throw new InvalidDataException($"Not a simulated meta command: {Convert.ToHexString(bytes)}.");
        }

        return new ShardedMetaCommand(
            BinaryPrimitives.ReadUInt64LittleEndian(bytes[1..]),
            BinaryPrimitives.ReadInt32LittleEndian(bytes[9..]),
            BinaryPrimitives.ReadUInt64LittleEndian(bytes[13..]),
            BinaryPrimitives.ReadUInt64LittleEndian(bytes[21..]),
            BinaryPrimitives.ReadUInt64LittleEndian(bytes[29..]),
            BinaryPrimitives.ReadUInt64LittleEndian(bytes[37..]),
            BinaryPrimitives.ReadUInt64LittleEndian(bytes[45..]));
    }
}
