using System.Buffers.Binary;
using System.IO.Hashing;
using System.Text;

namespace NodeNomad.Core.KeyValue;

public sealed partial class KvStateMachine
{
    /// <summary>
    /// A 64-bit hash of everything the state holds — every key in order with its value, version and expiry, expired
    /// keys not yet purged included — so that replicas of a shard can be compared without shipping their contents:
    /// two replicas that applied the same log give the same digest, whatever their clocks say. A value's kind counts:
    /// text hashes as it always has (length, then UTF-8), bytes as their length's complement, then the bytes, so text
    /// and bytes of the same content never hash alike.
    /// </summary>
    public ulong Digest()
    {
        var hash = new XxHash64();
        Span<byte> number = stackalloc byte[8];
        foreach (var key in _order)
        {
            var record = _records[key];
            Append(hash, key);
            Append(hash, record.Value);
            BinaryPrimitives.WriteInt64LittleEndian(number, record.Version);
            hash.Append(number);
            BinaryPrimitives.WriteInt64LittleEndian(number, record.ExpiresAt ?? -1);
            hash.Append(number);
        }

        return hash.GetCurrentHashAsUInt64();
    }

    private static void Append(XxHash64 hash, KvValue value)
    {
        if (!value.IsBinary)
        {
            Append(hash, value.Text!);
            return;
        }

        Span<byte> length = stackalloc byte[4];
        BinaryPrimitives.WriteInt32LittleEndian(length, ~value.ByteCount);
        hash.Append(length);
        hash.Append(value.RawBytes);
    }

    private static void Append(XxHash64 hash, string text)
    {
        Span<byte> length = stackalloc byte[4];
        var bytes = Encoding.UTF8.GetBytes(text);
        BinaryPrimitives.WriteInt32LittleEndian(length, bytes.Length);
        hash.Append(length);
        hash.Append(bytes);
    }
}
