using System.Globalization;
using System.Text.Json;

namespace NodeNomad.Contracts;

/// <summary>How shards are named: <c>shard-N</c>, or just the number <c>N</c>; both are accepted wherever a shard is named.</summary>
public static class ShardNames
{
    private const string Prefix = "shard-";

    /// <summary>The name of shard <paramref name="id"/>.</summary>
    public static string Of(int id) => Prefix + id.ToString(CultureInfo.InvariantCulture);

    /// <summary>Reads a shard number from <c>"shard-N"</c>, <c>"N"</c>; false for anything else.</summary>
    public static bool TryParse(string? text, out int id)
    {
        id = -1;
        if (string.IsNullOrWhiteSpace(text))
        {
            return false;
        }

        var digits = text.StartsWith(Prefix, StringComparison.OrdinalIgnoreCase) ? text[Prefix.Length..] : text;
        return digits.Length > 0 && digits.All(char.IsAsciiDigit) && int.TryParse(digits, NumberStyles.None, CultureInfo.InvariantCulture, out id);
    }

    /// <summary>
    /// Reads a shard number from a JSON string (<c>"shard-N"</c>, <c>"N"</c>) or a JSON number (<c>N</c>); false for
    /// anything else, a string that is not valid UTF-8 included (a JSON element holds its bytes unchecked).
    /// </summary>
    public static bool TryParse(JsonElement value, out int id)
    {
        id = -1;
        switch (value.ValueKind)
        {
            case JsonValueKind.Number:
                return value.TryGetInt32(out id) && id >= 0;
            case JsonValueKind.String:
                try
                {
                    return TryParse(value.GetString(), out id);
                }
                catch (InvalidOperationException)
                {
                    return false;
                }

            default:
                return false;
        }
    }
}
