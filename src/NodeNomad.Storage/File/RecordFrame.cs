using System.Buffers.Binary;

namespace NodeNomad.Storage;

/// <summary>
/// The framing of every log record, little-endian:
/// <c>[u32 payload length][u32 CRC32C of the length][u32 CRC32C of the payload][payload]</c>.
/// The length has a checksum of its own so that a damaged length is recognised as damage, instead of looking
/// like a record that runs past the end of the file (which is what a torn write looks like).
/// A record is written with one write call and fsynced before the next is written, so only the last record
/// of the log can be torn by a crash.
/// </summary>
internal static class RecordFrame
{
    public const int HeaderSize = 3 * sizeof(uint);

    /// <summary>Fills in the header of <paramref name="record"/>, whose payload already follows the header.</summary>
    public static void Seal(Span<byte> record)
    {
        ReadOnlySpan<byte> payload = record[HeaderSize..];
        BinaryPrimitives.WriteUInt32LittleEndian(record, (uint)payload.Length);
        BinaryPrimitives.WriteUInt32LittleEndian(record[4..], Crc32C.Compute(record[..4]));
        BinaryPrimitives.WriteUInt32LittleEndian(record[8..], Crc32C.Compute(payload));
    }

    /// <summary>
    /// Checks the record that starts at <paramref name="offset"/> of <paramref name="segment"/>.
    /// </summary>
    /// <param name="segment">The whole segment file.</param>
    /// <param name="offset">Where the record starts.</param>
    /// <param name="end">Where the record says it ends (past the end of <paramref name="segment"/> when it is cut
    /// short); the end of its header when the header itself is damaged.</param>
    /// <returns>Why the record is unsound, or null when its length and checksums hold.</returns>
    public static string? FindDefect(ReadOnlySpan<byte> segment, int offset, out long end)
    {
        ReadOnlySpan<byte> rest = segment[offset..];
        if (rest.Length < HeaderSize)
        {
            end = (long)offset + HeaderSize;
            return $"the record header is cut short after {rest.Length} bytes";
        }

        uint length = BinaryPrimitives.ReadUInt32LittleEndian(rest);
        if (Crc32C.Compute(rest[..4]) != BinaryPrimitives.ReadUInt32LittleEndian(rest[4..]))
        {
            end = (long)offset + HeaderSize;
            return "the record header does not match its CRC32C";
        }

        end = (long)offset + HeaderSize + length;
        if (length == 0)
        {
            return "the record length is zero";
        }

        if (end > segment.Length)
        {
            return $"the record claims {length} bytes of payload but the file ends {rest.Length - HeaderSize} bytes after its header";
        }

        return Crc32C.Compute(rest.Slice(HeaderSize, (int)length)) == BinaryPrimitives.ReadUInt32LittleEndian(rest[8..])
            ? null
            : "the payload does not match the record's CRC32C";
    }

    /// <summary>
    /// Whether a sound record starts anywhere at or after <paramref name="end"/>, where a damaged record says it
    /// ends (see <see cref="FindDefect"/>). A damaged record with a sound one after it cannot be a torn write
    /// (nothing is written after the record a crash tears): it is corruption. The search starts at the damaged
    /// record's end, not inside it: its payload may hold a client's value, and any value may look like a record.
    /// A record that claims to end past the end of the file is followed by nothing: it is the torn tail.
    /// </summary>
    public static bool SoundRecordFollows(ReadOnlySpan<byte> segment, long end)
    {
        if (end >= segment.Length)
        {
            return false;
        }

        for (int position = (int)end; position + HeaderSize < segment.Length; position++)
        {
            if (FindDefect(segment, position, out _) is null)
            {
                return true;
            }
        }

        return false;
    }
}
