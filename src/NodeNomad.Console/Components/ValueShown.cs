using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;

namespace NodeNomad.Console.Components;

/// <summary>
/// A value as the Keys page shows it: JSON indented, bytes as a hex dump, and anything over <see cref="Limit"/> cut there
/// (the whole value stays one click away), so a large value neither floods the page nor the circuit.
/// </summary>
/// <param name="Text">What to show.</param>
/// <param name="Bytes">The value's size in bytes (of UTF-8, for text).</param>
/// <param name="IsJson">Whether the value is a JSON object or array, shown indented.</param>
/// <param name="IsTruncated">Whether <paramref name="Text"/> is only the value's beginning.</param>
/// <param name="IsBinary">Whether the value is bytes, shown in hex sixteen to a line.</param>
public sealed record ValueShown(string Text, int Bytes, bool IsJson, bool IsTruncated, bool IsBinary = false)
{
    /// <summary>The most bytes of a binary value dumped before "Show all": 256 (each takes three characters and more).</summary>
    public const int BinaryLimit = 256;

    /// <summary>How <paramref name="value"/> is shown: text as <see cref="Show(string, bool)"/> does, bytes in hex.</summary>
    public static ValueShown Show(NodeNomad.Contracts.KeyValue value, bool whole)
    {
        ArgumentNullException.ThrowIfNull(value);
        if (!value.IsBinary)
        {
            return Show(value.Value, whole);
        }

        byte[] bytes;
        try
        {
            bytes = value.GetBytes();
        }
        catch (FormatException)
        {
            return new ValueShown("(the node sent a binary value that is not base64)", 0, IsJson: false, IsTruncated: false, IsBinary: true);
        }

        var shown = whole ? bytes.Length : Math.Min(bytes.Length, BinaryLimit);
        return new ValueShown(HexDump(bytes.AsSpan(0, shown)), bytes.Length, IsJson: false, IsTruncated: shown < bytes.Length, IsBinary: true);
    }

    /// <summary>Sixteen bytes a line: the offset, the bytes in hex, and the printable ASCII among them.</summary>
    private static string HexDump(ReadOnlySpan<byte> bytes)
    {
        var dump = new StringBuilder();
        for (var offset = 0; offset < bytes.Length; offset += 16)
        {
            var line = bytes.Slice(offset, Math.Min(16, bytes.Length - offset));
            dump.Append(offset.ToString("x8", System.Globalization.CultureInfo.InvariantCulture)).Append("  ");
            for (var i = 0; i < 16; i++)
            {
                dump.Append(i < line.Length ? line[i].ToString("x2", System.Globalization.CultureInfo.InvariantCulture) : "  ").Append(i == 7 ? "  " : " ");
            }

            dump.Append(' ');
            foreach (var b in line)
            {
                dump.Append(b is >= 0x20 and < 0x7F ? (char)b : '.');
            }

            dump.Append('\n');
        }

        return dump.ToString().TrimEnd('\n');
    }

    /// <summary>The most of a value shown before "Show all": 4 KiB.</summary>
    public const int Limit = 4 * 1024;

    // The page escapes what it shows, so the JSON keeps its characters as they are (no \u escapes).
    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true, Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <summary>How <paramref name="value"/> is shown; whole when <paramref name="whole"/>, else cut at <see cref="Limit"/>.</summary>
    public static ValueShown Show(string value, bool whole)
    {
        ArgumentNullException.ThrowIfNull(value);
        var bytes = Encoding.UTF8.GetByteCount(value);
        var text = value;
        var isJson = false;
        if (value.TrimStart() is ['{' or '[', ..])
        {
            try
            {
                using var document = JsonDocument.Parse(value);
                text = JsonSerializer.Serialize(document.RootElement, Indented);
                isJson = true;
            }
            catch (JsonException)
            {
                // Not JSON after all: shown as it is.
            }
        }

        if (whole || text.Length <= Limit)
        {
            return new ValueShown(text, bytes, isJson, IsTruncated: false);
        }

        // Cut at a character boundary, never inside a surrogate pair.
        var cut = char.IsHighSurrogate(text[Limit - 1]) ? Limit - 1 : Limit;
        return new ValueShown(text[..cut] + "…", bytes, isJson, IsTruncated: true);
    }
}
