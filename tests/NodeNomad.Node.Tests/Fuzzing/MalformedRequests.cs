using System.Globalization;
using System.Text;

namespace NodeNomad.Node.Tests.Fuzzing;

/// <summary>
/// Makes the pieces of hostile client requests from a seeded <see cref="Random"/>: odd keys and their encodings in a
/// path, absurd query values, bodies that are JSON of the wrong shape, broken JSON, invalid UTF-8 or no JSON at all,
/// and the content types they come under. The same seed makes the same requests.
/// </summary>
internal static class MalformedRequests
{
    /// <summary>Every field name a JSON body of the API takes, so random bodies hit the binders' real fields.</summary>
    public static readonly string[] Fields =
    [
        "key", "value", "ttl", "encoding", "expectedVersion", "name", "scopes", "shardId", "targetNodeId", "sourceNodeId", "nodeId",
        "enabled", "intervalSeconds", "dimension", "threshold", "hysteresis", "cooldownSeconds", "maxConcurrentMoves",
        "snapshotBandwidthMiB", "clearSnapshotBandwidth", "weights",
    ];

    /// <summary>Query parameters the API reads, and some it does not.</summary>
    public static readonly string[] QueryNames = ["ttl", "expectedVersion", "limit", "shard", "prefix", "after", "consistency", "from", "index", "term", "x", ""];

    public static readonly string[] ContentTypes =
    [
        "application/json", "application/json; charset=utf-8", "application/json; charset=bogus", "application/json; charset=utf-16",
        "application/json; charset=\"utf-8\"", "application/json; charset=", "text/plain", "text/plain; charset=latin1", "text/plain; charset=utf-8",
        "application/octet-stream", "application/x-www-form-urlencoded", "multipart/form-data; boundary=x", "multipart/form-data",
        "application/problem+json", "application/*", "*/*", "a/b/c", ";", "application/json; q=\u00e9",
    ];

    /// <summary>Keys a path or a body may carry: control characters, dot segments, separators, escapes, surrogates, sizes at and past the limit.</summary>
    public static string Key(Random random) => random.Next(16) switch
    {
        0 => "..",
        1 => ".",
        2 => "a/../b",
        3 => "\0",
        4 => "ctl\u0001\u001f\u007f",
        5 => "a%2Fb",
        6 => "%00",
        7 => new string('k', 1024),
        8 => new string('k', 1025 + random.Next(4096)),
        9 => string.Concat(Enumerable.Repeat("\u20ac", 342)),
        10 => "\ud800lone",
        11 => "emoji-\ud83d\ude00",
        12 => "",
        13 => " ",
        14 => "\u202eright-to-left\r\n",
        _ => Word(random, 1 + random.Next(40)),
    };

    /// <summary>A key as it is put into a path: escaped, raw, or with escapes that are broken, overlong or not UTF-8.</summary>
    public static string KeyInPath(Random random)
    {
        var key = Key(random);
        return random.Next(12) switch
        {
            0 => key,
            1 => "%",
            2 => "%G1" + Uri.EscapeDataString(Safe(key)),
            3 => "%C0%AF",
            4 => "%E0%80%AF",
            5 => "%ED%A0%80",
            6 => "%FF%FE",
            7 => "%%41",
            8 => "a%2Fb%2F..%2F%2E%2E",
            9 => "%2e%2e",
            10 => "%25" + Uri.EscapeDataString(Safe(key)),
            _ => Uri.EscapeDataString(Safe(key)),
        };
    }

    /// <summary>A value for a route parameter that is not a key (<c>{id}</c>, <c>{shard}</c>, <c>{groupId}</c>).</summary>
    public static string RouteValue(Random random) => random.Next(12) switch
    {
        0 => "0",
        1 => "shard-0",
        2 => "-1",
        3 => "99999999999999999999",
        4 => "shard-",
        5 => "%00",
        6 => "%2F",
        7 => "..%2F..",
        8 => new string('x', 2000 + random.Next(2000)),
        9 => "m-0123456789",
        10 => "key-%FF",
        _ => Uri.EscapeDataString(Safe(Word(random, 1 + random.Next(12)))),
    };

    /// <summary>A query string of absurd values: huge, negative, fractional, repeated, empty, escaped nonsense.</summary>
    public static string Query(Random random)
    {
        if (random.Next(3) == 0)
        {
            return string.Empty;
        }

        var parts = Enumerable.Range(0, 1 + random.Next(4)).Select(_ => $"{QueryNames[random.Next(QueryNames.Length)]}={QueryValue(random)}");
        return "?" + string.Join('&', parts);
    }

    private static string QueryValue(Random random) => random.Next(14) switch
    {
        0 => "",
        1 => "-1",
        2 => "0",
        3 => "99999999999999999999999",
        4 => long.MaxValue.ToString(CultureInfo.InvariantCulture),
        5 => "1e309",
        6 => "NaN",
        7 => "1.5",
        8 => "%00",
        9 => "%FF%FE",
        10 => new string('9', 3000),
        11 => "stale",
        12 => "linearizable&consistency=stale",
        _ => Uri.EscapeDataString(Safe(Word(random, 1 + random.Next(20)))),
    };

    /// <summary>A body: JSON of random shape over the API's fields, then maybe broken (truncated, cut into, not UTF-8, not JSON).</summary>
    public static byte[] Body(Random random)
    {
        var json = Encoding.UTF8.GetBytes(JsonObject(random, depth: 0));
        return random.Next(10) switch
        {
            0 => json[..random.Next(json.Length + 1)],
            1 => Splice(random, json, [0xFF]),
            2 => Splice(random, json, [0xC0, 0x80]),
            3 => Splice(random, json, [0xED, 0xA0, 0x80]),
            4 => [0xEF, 0xBB, 0xBF, .. json],
            5 => RandomBytes(random, random.Next(200)),
            6 => [],
            7 => Encoding.UTF8.GetBytes(random.Next(2) == 0 ? new string('[', 5000) : "null"),
            _ => json,
        };
    }

    private static string JsonObject(Random random, int depth)
    {
        var fields = Enumerable.Range(0, random.Next(Fields.Length / 2))
            .Select(_ => $"\"{(random.Next(10) == 0 ? Fields[random.Next(Fields.Length)].ToUpperInvariant() : Fields[random.Next(Fields.Length)])}\": {JsonValue(random, depth + 1)}");
        return "{" + string.Join(", ", fields) + "}";
    }

    private static string JsonValue(Random random, int depth) => random.Next(depth > 3 ? 12 : 15) switch
    {
        0 => "null",
        1 => "true",
        2 => "-1",
        3 => "0",
        4 => "99999999999999999999999",
        5 => "1e309",
        6 => "-0.5",
        7 => JsonString(Key(random)),
        8 => JsonString(random.Next(40) == 0 ? new string('v', (1024 * 1024) + random.Next(3)) : Word(random, random.Next(30))),
        9 => "\"\\ud800\"",
        10 => "\"AAAA====\"",
        11 => JsonString(new[] { "base64", "utf8", "read", "write", "admin", "keys", "reads", "node-9", "shard-0", "0" }[random.Next(10)]),
        12 => "[" + string.Join(", ", Enumerable.Range(0, random.Next(4)).Select(_ => JsonValue(random, depth + 1))) + "]",
        13 => JsonObject(random, depth),
        _ => "{\"node-1\": " + JsonValue(random, depth + 1) + "}",
    };

    private static string JsonString(string text)
    {
        var escaped = new StringBuilder("\"");
        foreach (var c in text)
        {
            escaped.Append(c switch
            {
                '"' => "\\\"",
                '\\' => "\\\\",
                < ' ' or (>= '\ud800' and <= '\udfff') => $"\\u{(int)c:x4}",
                _ => c.ToString(),
            });
        }

        return escaped.Append('"').ToString();
    }

    /// <summary>Printable words with the characters paths and queries treat specially.</summary>
    private static string Word(Random random, int length)
    {
        const string alphabet = "abcXYZ019-_.~ /?#&=+%;:@!$'()*,[]{}|\\^`\"<>\u00e9\u4e2d";
        return new string(Enumerable.Range(0, length).Select(_ => alphabet[random.Next(alphabet.Length)]).ToArray());
    }

    /// <summary>The text with lone surrogates replaced, so that <see cref="Uri.EscapeDataString(string)"/> takes it.</summary>
    private static string Safe(string text) => Encoding.UTF8.GetString(Encoding.UTF8.GetBytes(text));

    private static byte[] Splice(Random random, byte[] json, byte[] inserted)
    {
        var at = random.Next(json.Length + 1);
        return [.. json[..at], .. inserted, .. json[at..]];
    }

    public static byte[] RandomBytes(Random random, int length)
    {
        var bytes = new byte[length];
        random.NextBytes(bytes);
        return bytes;
    }
}
