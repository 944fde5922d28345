using System.Globalization;
using System.Text;

namespace NodeNomad.Linearizability;

/// <summary>Writes strings as EDN (and Clojure) string literals; also how messages quote keys and values.</summary>
internal static class EdnText
{
    public static string Quote(string text)
    {
        var quoted = new StringBuilder(text.Length + 2).Append('"');
        foreach (var c in text)
        {
            _ = c switch
            {
                '"' => quoted.Append("\\\""),
                '\\' => quoted.Append("\\\\"),
                '\n' => quoted.Append("\\n"),
                '\r' => quoted.Append("\\r"),
                '\t' => quoted.Append("\\t"),
                < ' ' or '\u007F' => quoted.Append(CultureInfo.InvariantCulture, $"\\u{(int)c:x4}"),
                _ => quoted.Append(c),
            };
        }

        return quoted.Append('"').ToString();
    }

    /// <summary>A string literal, or <c>nil</c> for null.</summary>
    public static string QuoteOrNil(string? text) => text is null ? "nil" : Quote(text);
}
