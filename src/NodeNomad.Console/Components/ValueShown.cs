using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;

namespace NodeNomad.Console.Components;

/// <summary>
/// A value as the Keys page shows it: JSON indented, and anything over <see cref="Limit"/> cut there (the whole value
/// stays one click away), so a large value neither floods the page nor the circuit.
/// </summary>
/// <param name="Text">What to show.</param>
/// <param name="Bytes">The value's size in UTF-8.</param>
/// <param name="IsJson">Whether the value is a JSON object or array, shown indented.</param>
/// <param name="IsTruncated">Whether <paramref name="Text"/> is only the value's beginning.</param>
public sealed record ValueShown(string Text, int Bytes, bool IsJson, bool IsTruncated)
{
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
