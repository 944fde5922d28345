using System.Buffers.Binary;

namespace NodeNomad.Raft;

/// <summary>
/// The bytes of an <see cref="EntryType.ConfChange"/> entry: a version byte, the change type, the node id
/// (8 bytes, little-endian), then the context verbatim.
/// </summary>
internal static class ConfChangeCodec
{
    private const byte Version = 1;
    private const int HeaderLength = 10;

    public static byte[] Encode(ConfChange change)
    {
        var bytes = new byte[HeaderLength + change.Context.Length];
        bytes[0] = Version;
        bytes[1] = (byte)change.Type;
        BinaryPrimitives.WriteUInt64LittleEndian(bytes.AsSpan(2, 8), change.NodeId);
        change.Context.Span.CopyTo(bytes.AsSpan(HeaderLength));
        return bytes;
    }

    public static ConfChange Decode(ReadOnlySpan<byte> data)
    {
        if (data.Length < HeaderLength || data[0] != Version)
        {
            throw new FormatException("Not an encoded membership change.");
        }

        var type = (ConfChangeType)data[1];
        if (!Enum.IsDefined(type))
        {
            throw new FormatException($"Unknown membership change type {data[1]}.");
        }

        var nodeId = BinaryPrimitives.ReadUInt64LittleEndian(data.Slice(2, 8));
        return new ConfChange(type, nodeId, data[HeaderLength..].ToArray());
    }
}
