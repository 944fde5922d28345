using System.Buffers.Binary;
using System.Numerics;

namespace NodeNomad.Storage;

/// <summary>
/// CRC-32C (Castagnoli), the checksum of every log record and snapshot file. Uses the CPU's CRC32
/// instruction through <see cref="BitOperations.Crc32C(uint, ulong)"/>: eight bytes per step, then the rest.
/// </summary>
internal static class Crc32C
{
    /// <summary>The checksum of <paramref name="data"/>.</summary>
    public static uint Compute(ReadOnlySpan<byte> data) => Append(0, data);

    /// <summary>
    /// The checksum of the bytes <paramref name="crc"/> was computed over followed by <paramref name="data"/>,
    /// so a checksum can be built from pieces without joining them.
    /// </summary>
    public static uint Append(uint crc, ReadOnlySpan<byte> data)
    {
        // The standard CRC-32C starts from all ones and inverts the result; the instruction does neither.
        uint state = ~crc;
        while (data.Length >= sizeof(ulong))
        {
            // The instruction consumes the lowest byte first, which is the first byte in memory when read little-endian.
            state = BitOperations.Crc32C(state, BinaryPrimitives.ReadUInt64LittleEndian(data));
            data = data[sizeof(ulong)..];
        }

        foreach (byte b in data)
        {
            state = BitOperations.Crc32C(state, b);
        }

        return ~state;
    }
}
