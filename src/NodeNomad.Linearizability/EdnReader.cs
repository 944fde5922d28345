using System.Globalization;
using System.Text;

namespace NodeNomad.Linearizability;

/// <summary>
/// Reads the part of EDN that Jepsen histories use: maps with keyword keys, strings, integers, nil, booleans,
/// keywords and vectors (or lists). Values come back as string, long, bool, null, <see cref="EdnKeyword"/> or
/// <c>IReadOnlyList&lt;object?&gt;</c>. Never throws: a problem is returned as a reason.
/// </summary>
internal sealed class EdnReader
{
    // Deep enough for any history; shallow enough that a hostile line cannot overflow the stack.
    private const int MaxNesting = 32;

    private readonly string text;
    private int position;

    private EdnReader(string text)
    {
        this.text = text;
    }

    /// <summary>Reads <paramref name="line"/> as one map, with nothing but whitespace or a comment after it.</summary>
    public static string? TryReadMap(string line, out IReadOnlyDictionary<string, object?> map)
    {
        map = new Dictionary<string, object?>();
        var reader = new EdnReader(line);
        reader.SkipWhitespace();
        if (reader.Peek() != '{')
        {
            return "expected an EDN map such as {:process 0, :type :invoke, :f :get, :key \"k\", :value nil}";
        }

        var error = reader.TryReadValue(0, out var value) ?? reader.ExpectEnd();
        if (error is null)
        {
            map = (IReadOnlyDictionary<string, object?>)value!;
        }

        return error;
    }

    /// <summary>Reads <paramref name="text"/> as exactly one value.</summary>
    public static string? TryReadValue(string text, out object? value)
    {
        var reader = new EdnReader(text);
        return reader.TryReadValue(0, out value) ?? reader.ExpectEnd();
    }

    /// <summary>Describes a value the way it would be written, for messages.</summary>
    public static string Describe(object? value) => value switch
    {
        null => "nil",
        string s => EdnText.Quote(s),
        bool b => b ? "true" : "false",
        long l => l.ToString(CultureInfo.InvariantCulture),
        IReadOnlyList<object?> items => "[" + string.Join(' ', items.Select(Describe)) + "]",
        IReadOnlyDictionary<string, object?> => "a map",
        _ => value.ToString() ?? "",
    };

    private string? ExpectEnd()
    {
        SkipWhitespace();
        return position < text.Length ? $"unexpected text after the value: {Excerpt()}" : null;
    }

    private string? TryReadValue(int depth, out object? value)
    {
        value = null;
        SkipWhitespace();
        if (position >= text.Length)
        {
            return "the line ends where a value should be";
        }

        if (depth > MaxNesting)
        {
            return $"values nested more than {MaxNesting} deep";
        }

        switch (text[position])
        {
            case '{':
                return TryReadMap(depth, out value);
            case '[':
                return TryReadSequence(']', depth, out value);
            case '(':
                return TryReadSequence(')', depth, out value);
            case '"':
                return TryReadString(out value);
            case ':':
                position++;
                var name = ReadToken();
                if (name.Length == 0)
                {
                    return "a ':' with no keyword after it";
                }

                value = new EdnKeyword(name);
                return null;
            default:
                return TryReadAtom(out value);
        }
    }

    private string? TryReadMap(int depth, out object? value)
    {
        value = null;
        position++;
        var map = new Dictionary<string, object?>(StringComparer.Ordinal);
        while (true)
        {
            SkipWhitespace();
            if (position >= text.Length)
            {
                return "the map is not closed: '}' missing";
            }

            if (text[position] == '}')
            {
                position++;
                value = map;
                return null;
            }

            var keyAt = position;
            var error = TryReadValue(depth + 1, out var key);
            if (error is not null)
            {
                return error;
            }

            if (key is not EdnKeyword keyword)
            {
                return $"map keys must be keywords such as :process; found {Describe(key)} at column {keyAt + 1}";
            }

            error = TryReadValue(depth + 1, out var item);
            if (error is not null)
            {
                return error;
            }

            if (!map.TryAdd(keyword.Name, item))
            {
                return $"the key {keyword} appears twice";
            }
        }
    }

    private string? TryReadSequence(char close, int depth, out object? value)
    {
        value = null;
        position++;
        var items = new List<object?>();
        while (true)
        {
            SkipWhitespace();
            if (position >= text.Length)
            {
                return $"the sequence is not closed: '{close}' missing";
            }

            if (text[position] == close)
            {
                position++;
                value = items;
                return null;
            }

            var error = TryReadValue(depth + 1, out var item);
            if (error is not null)
            {
                return error;
            }

            items.Add(item);
        }
    }

    private string? TryReadString(out object? value)
    {
        value = null;
        var start = position;
        position++;
        var result = new StringBuilder();
        while (position < text.Length)
        {
            var c = text[position++];
            if (c == '"')
            {
                value = result.ToString();
                return null;
            }

            if (c != '\\')
            {
                result.Append(c);
                continue;
            }

            if (position >= text.Length)
            {
                break;
            }

            var escaped = text[position++];
            switch (escaped)
            {
                case '"' or '\\':
                    result.Append(escaped);
                    break;
                case 'n':
                    result.Append('\n');
                    break;
                case 'r':
                    result.Append('\r');
                    break;
                case 't':
                    result.Append('\t');
                    break;
                case 'b':
                    result.Append('\b');
                    break;
                case 'f':
                    result.Append('\f');
                    break;
                case 'u' when position + 4 <= text.Length
                    && ushort.TryParse(text.AsSpan(position, 4), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out var code):
                    result.Append((char)code);
                    position += 4;
                    break;
                default:
                    return $"unknown escape \\{escaped} in the string at column {start + 1}";
            }
        }

        return $"the string at column {start + 1} is not closed";
    }

    private string? TryReadAtom(out object? value)
    {
        value = null;
        var start = position;
        var token = ReadToken();
        if (token.Length == 0)
        {
            return $"unexpected {Excerpt(start)}";
        }

        switch (token)
        {
            case "nil":
                return null;
            case "true":
                value = true;
                return null;
            case "false":
                value = false;
                return null;
        }

        if (long.TryParse(token, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var number))
        {
            value = number;
            return null;
        }

        return $"unsupported value '{token}' at column {start + 1} (expected a string, an integer, nil, a keyword or a vector)";
    }

    private string ReadToken()
    {
        var start = position;
        while (position < text.Length && !IsDelimiter(text[position]))
        {
            position++;
        }

        return text[start..position];
    }

    private void SkipWhitespace()
    {
        while (position < text.Length)
        {
            var c = text[position];
            if (c == ';')
            {
                position = text.Length;
            }
            else if (char.IsWhiteSpace(c) || c == ',')
            {
                position++;
            }
            else
            {
                return;
            }
        }
    }

    private char Peek() => position < text.Length ? text[position] : '\0';

    private string Excerpt() => Excerpt(position);

    private string Excerpt(int at)
    {
        var rest = text[at..];
        return "'" + (rest.Length > 20 ? rest[..20] + "..." : rest) + "'";
    }

    private static bool IsDelimiter(char c) =>
        char.IsWhiteSpace(c) || c is ',' or '{' or '}' or '[' or ']' or '(' or ')' or '"' or ';';
}
