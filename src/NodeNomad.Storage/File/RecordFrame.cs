using System.Buffers.Binary;

namespace NodeNomad.Storage;

/// <summary>
/// The framing of every log record: <c>[u32 payload length][u32 CRC32C of payload][payload]</c>, little-endian.
/// A record is written with one write call and fsynced before the next is written, so only the last record
/// of the log can be torn by a crash.
/// </summary>
internal static class RecordFrame
{
    public const int HeaderSize = 2 * sizeof(uint);

    /// <summary>Fills in the header of <paramref name="record"/>, whose payload already follows the header.</summary>
    public static void Seal(Span<byte> record)
    {
        ReadOnlySpan<byte> payload = record[HeaderSize..];
        BinaryPrimitives.WriteUInt32LittleEndian(record, (uint)payload.Length);
        BinaryPrimitives.WriteUInt32LittleEndian(record[sizeof(uint)..], Crc32C.Compute(payload));
    }

    /// <summary>
    /// Checks the record that starts at <paramref name="offset"/> of <paramref name="segment"/>.
    /// </summary>
    /// <param name="segment">The whole segment file.</param>
    /// <param name="offset">Where the record starts.</param>
    /// <param name="end">Where the record says it ends; past the end of <paramref name="segment"/> when it is cut short.</param>
    /// <returns>Why the record is unsound, or null when its length and checksum hold.</returns>
    public static string? FindDefect(ReadOnlySpan<byte> segment, int offset, out long end)
    {
        ReadOnlySpan<byte> rest = segment[offset..];
        if (rest.Length < HeaderSize)
        {
            end = (long)offset + HeaderSize;
            return $"the record header is cut short after {rest.Length} bytes";
        }

        uint length = BinaryPrimitives.ReadUInt32LittleEndian(rest);
        uint checksum = BinaryPrimitives.ReadUInt32LittleEndian(rest[sizeof(uint)..]);
        end = (long)offset + HeaderSize + length;
        if (length == 0)
        {
            return "the record length is zero";
        }

        if (end > segment.Length)
        {
            return $"the record claims {length} bytes of payload but the file ends {rest.Length - HeaderSize} bytes after its header";
        }

        return Crc32C.Compute(rest.Slice(HeaderSize, (int)length)) == checksum
            ? null
            : "the payload does not match the record's CRC32C";
    }
}
