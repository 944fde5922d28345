using Microsoft.AspNetCore.Http.Features;
using NodeNomad.Core.KeyValue;

namespace NodeNomad.Node.Api;

/// <summary>
/// Takes the key out of a request path such as <c>/api/v1/get/{key}</c>. Keys may hold any character, '/'
/// included, so the key is the whole rest of the path, percent-decoded from the raw request target:
/// the server's own path decoding keeps <c>%2F</c> encoded, which would make "a%2Fb" and "a/b" ambiguous.
/// </summary>
public static class KeyRoute
{
    /// <summary>Returns the decoded key, or the reason the path holds no acceptable key.</summary>
    public static (string? Key, string? Problem) Extract(HttpContext context, string prefix)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(prefix);
        var raw = context.Features.Get<IHttpRequestFeature>()?.RawTarget;
        var path = raw is { Length: > 0 } && raw[0] == '/' ? raw.Split('?', 2)[0] : null;
        string encoded;
        if (path is not null && path.StartsWith(prefix, StringComparison.OrdinalIgnoreCase))
        {
            encoded = path[prefix.Length..];
        }
        else
        {
            // A request whose raw target does not spell the prefix plainly: use the routed path as decoded by the server.
            var routed = context.Request.Path.Value ?? string.Empty;
            encoded = routed.StartsWith(prefix, StringComparison.OrdinalIgnoreCase) ? routed[prefix.Length..] : string.Empty;
        }

        var key = PercentDecode(encoded);
        if (key is null)
        {
            return (null, "The key in the path is not valid percent-encoded UTF-8.");
        }

        var problem = KeyRules.CheckKey(key);
        return problem is null ? (key, null) : (null, problem);
    }

    /// <summary>Strict percent-decoding into UTF-8; null when an escape is malformed or the bytes are not UTF-8.</summary>
    public static string? PercentDecode(string encoded)
    {
        ArgumentNullException.ThrowIfNull(encoded);
        if (!encoded.Contains('%', StringComparison.Ordinal))
        {
            return encoded;
        }

        var bytes = new List<byte>(encoded.Length);
        Span<byte> utf8 = stackalloc byte[4];
        for (var i = 0; i < encoded.Length; i++)
        {
            var c = encoded[i];
            if (c == '%')
            {
                if (i + 2 >= encoded.Length || !IsHex(encoded[i + 1]) || !IsHex(encoded[i + 2]))
                {
                    return null;
                }

                bytes.Add((byte)((HexValue(encoded[i + 1]) << 4) | HexValue(encoded[i + 2])));
                i += 2;
                continue;
            }

            var length = char.IsHighSurrogate(c) && i + 1 < encoded.Length ? 2 : 1;
            try
            {
                var written = KeyRules.StrictUtf8.GetBytes(encoded.AsSpan(i, length), utf8);
                for (var b = 0; b < written; b++)
                {
                    bytes.Add(utf8[b]);
                }
            }
            catch (System.Text.EncoderFallbackException)
            {
                return null;
            }

            i += length - 1;
        }

        try
        {
            return KeyRules.StrictUtf8.GetString(bytes.ToArray());
        }
        catch (System.Text.DecoderFallbackException)
        {
            return null;
        }
    }

    private static bool IsHex(char c) => char.IsAsciiHexDigit(c);

    private static int HexValue(char c) => c <= '9' ? c - '0' : (c | 0x20) - 'a' + 10;
}
