using System.Text;

namespace NodeNomad.Core.KeyValue;

/// <summary>The limits a key, a value and a TTL must respect, checked at the edge before anything is logged.</summary>
public static class KeyRules
{
    /// <summary>Longest key, in UTF-8 bytes.</summary>
    public const int MaxKeyBytes = 1024;

    /// <summary>Largest value, in bytes (of UTF-8, for text): 1 MiB.</summary>
    public const int MaxValueBytes = 1024 * 1024;

    /// <summary>Longest TTL: ten years. Anything longer is a unit mistake, not an intention.</summary>
    public const long MaxTtlSeconds = 10L * 365 * 24 * 60 * 60;

    /// <summary>Strict UTF-8: a lone surrogate is an error, not a silent replacement character.</summary>
    public static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    /// <summary>Returns why <paramref name="key"/> is not acceptable, or null when it is.</summary>
    public static string? CheckKey(string? key)
    {
        if (key is null)
        {
            return "The key is required.";
        }

        if (key.Length == 0)
        {
            return "The key must not be empty.";
        }

        if (key is "." or "..")
        {
            // URL paths treat these as dot-segments and remove them, even percent-encoded, so such a key
            // could be written but never read, listed or deleted by path.
            return $"The key '{key}' cannot be used: '.' and '..' are path segments in a URL.";
        }

        var bytes = Utf8Length(key);
        if (bytes < 0)
        {
            return "The key is not valid Unicode (it holds a lone surrogate).";
        }

        return bytes > MaxKeyBytes ? $"The key is {bytes} bytes of UTF-8; the limit is {MaxKeyBytes}." : null;
    }

    /// <summary>Returns why <paramref name="value"/> is not acceptable, or null when it is. Size is checked by <see cref="CheckValueSize"/>.</summary>
    public static string? CheckValue(string? value)
    {
        if (value is null)
        {
            return "The value is required (use an empty string for an empty value).";
        }

        return Utf8Length(value) < 0 ? "The value is not valid Unicode (it holds a lone surrogate)." : null;
    }

    /// <summary>Returns why a valid <paramref name="value"/> is too large, or null when it fits.</summary>
    public static string? CheckValueSize(string value)
    {
        var bytes = Utf8Length(value);
        return bytes > MaxValueBytes ? $"The value is {bytes} bytes of UTF-8; the limit is {MaxValueBytes} (1 MiB)." : null;
    }

    /// <summary>Returns why a binary value of <paramref name="bytes"/> bytes is too large, or null when it fits.</summary>
    public static string? CheckValueSize(int bytes) =>
        bytes > MaxValueBytes ? $"The value is {bytes} bytes; the limit is {MaxValueBytes} (1 MiB)." : null;

    /// <summary>Returns why <paramref name="ttlSeconds"/> is not acceptable, or null when it is (null means no expiry).</summary>
    public static string? CheckTtl(long? ttlSeconds) => ttlSeconds switch
    {
        null => null,
        <= 0 => $"The ttl must be a positive number of seconds; got {ttlSeconds}.",
        > MaxTtlSeconds => $"The ttl of {ttlSeconds} seconds is more than ten years ({MaxTtlSeconds} seconds); that is taken as a mistake.",
        _ => null,
    };

    /// <summary>UTF-8 length of <paramref name="text"/>, or -1 when it cannot be encoded.</summary>
    public static int Utf8Length(string text)
    {
        try
        {
            return StrictUtf8.GetByteCount(text);
        }
        catch (EncoderFallbackException)
        {
            return -1;
        }
    }
}
