using System.Buffers.Binary;
using System.Text;

namespace NodeNomad.Raft.Simulation.Tests;

/// <summary>
/// One write as it travels in a log entry. <see cref="CommandId"/> is unique per proposal attempt, so the
/// simulator can tell when one proposal is applied twice, or applied after it was reported lost.
/// </summary>
/// <param name="CommandId">Unique per attempt, never 0.</param>
/// <param name="Kind">Put or compare-and-set.</param>
/// <param name="Key">The key written.</param>
/// <param name="Value">The value written.</param>
/// <param name="Expected">For a compare-and-set, the value expected (null: the key must be absent).</param>
internal sealed record KvCommand(ulong CommandId, KvCommandKind Kind, string Key, string Value, string? Expected)
{
    public byte[] Encode()
    {
        var key = Encoding.UTF8.GetBytes(Key);
        var value = Encoding.UTF8.GetBytes(Value);
        var expected = Expected is null ? null : Encoding.UTF8.GetBytes(Expected);
        var bytes = new byte[1 + 8 + 4 + key.Length + 4 + value.Length + 1 + 4 + (expected?.Length ?? 0)];
        var span = bytes.AsSpan();
        span[0] = (byte)Kind;
        BinaryPrimitives.WriteUInt64LittleEndian(span[1..], CommandId);
        var at = 9;
        WriteBytes(span, ref at, key);
        WriteBytes(span, ref at, value);
        span[at++] = expected is null ? (byte)0 : (byte)1;
        WriteBytes(span, ref at, expected ?? []);
        return bytes;
    }

    /// <summary>Decodes an entry written by <see cref="Encode"/>; anything else is a corrupted entry.</summary>
    public static KvCommand Decode(ReadOnlySpan<byte> bytes)
    {
        if (bytes.Length < 9 || bytes[0] is not ((byte)KvCommandKind.Put or (byte)KvCommandKind.CompareAndSet))
        {
            throw new InvalidDataException($"Not a simulated key-value command: {Convert.ToHexString(bytes)}.");
        }

        var kind = (KvCommandKind)bytes[0];
        var commandId = BinaryPrimitives.ReadUInt64LittleEndian(bytes[1..]);
        var at = 9;
        var key = ReadString(bytes, ref at);
        var value = ReadString(bytes, ref at);
        var hasExpected = bytes[at++] == 1;
        var expected = ReadString(bytes, ref at);
        return new KvCommand(commandId, kind, key, value, hasExpected ? expected : null);
    }

    /// <summary>Reads only the command id, for the safety checks that run on every applied entry.</summary>
    public static ulong IdOf(ReadOnlySpan<byte> bytes) => BinaryPrimitives.ReadUInt64LittleEndian(bytes[1..]);

    private static void WriteBytes(Span<byte> span, ref int at, byte[] bytes)
    {
        BinaryPrimitives.WriteInt32LittleEndian(span[at..], bytes.Length);
        bytes.CopyTo(span[(at + 4)..]);
        at += 4 + bytes.Length;
    }

    private static string ReadString(ReadOnlySpan<byte> bytes, ref int at)
    {
        var length = BinaryPrimitives.ReadInt32LittleEndian(bytes[at..]);
        var text = Encoding.UTF8.GetString(bytes.Slice(at + 4, length));
        at += 4 + length;
        return text;
    }
}
