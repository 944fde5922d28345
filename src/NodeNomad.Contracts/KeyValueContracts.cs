using System.Text.Json.Serialization;

namespace NodeNomad.Contracts;

/// <summary>Body of <c>POST /api/v1/set</c>.</summary>
/// <param name="Key">UTF-8 key, 1 to 1024 bytes; any character, <c>/</c> included.</param>
/// <param name="Value">The value: text, or with <paramref name="Encoding"/> <c>base64</c> the base64 of bytes; at most 1 MiB either way (of UTF-8, or of decoded bytes).</param>
/// <param name="Ttl">Seconds until the key expires; null for never.</param>
/// <param name="Encoding">How <paramref name="Value"/> is written: null or <see cref="ValueEncodings.Utf8"/> for text, <see cref="ValueEncodings.Base64"/> for bytes.</param>
public sealed record SetRequest(
    string Key,
    string Value,
    long? Ttl = null,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Encoding = null);

/// <summary>Body of <c>POST /api/v1/cas</c>: write only if the key's version is still <paramref name="ExpectedVersion"/>.</summary>
/// <param name="Key">UTF-8 key, 1 to 1024 bytes.</param>
/// <param name="ExpectedVersion">The version the caller read; 0 means the key must not exist.</param>
/// <param name="Value">The new value: text, or with <paramref name="Encoding"/> <c>base64</c> the base64 of bytes.</param>
/// <param name="Ttl">Seconds until the key expires; null for never.</param>
/// <param name="Encoding">How <paramref name="Value"/> is written: null or <see cref="ValueEncodings.Utf8"/> for text, <see cref="ValueEncodings.Base64"/> for bytes.</param>
public sealed record CasRequest(
    string Key,
    long ExpectedVersion,
    string Value,
    long? Ttl = null,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Encoding = null);

/// <summary>The outcome of a write.</summary>
/// <param name="Key">The key written.</param>
/// <param name="Version">The key's new version: the log index of the write.</param>
/// <param name="ExpiresAt">When the key expires, or null for never.</param>
public sealed record WriteResult(string Key, long Version, DateTimeOffset? ExpiresAt)
{
    /// <summary>The shard that served this answer and its epoch; filled in by the client from the response headers.</summary>
    [JsonIgnore]
    public ServedBy? ServedBy { get; init; }
}

/// <summary>A key with its value.</summary>
/// <param name="Key">The key.</param>
/// <param name="Value">Its value: the text, or for a binary value (<paramref name="Encoding"/> <c>base64</c>) its bytes in base64.</param>
/// <param name="Version">The log index of the write that produced this value.</param>
/// <param name="ExpiresAt">When the key expires, or null for never.</param>
/// <param name="Encoding">Null for text; <see cref="ValueEncodings.Base64"/> when the value is bytes, written in base64.</param>
public sealed record KeyValue(
    string Key,
    string Value,
    long Version,
    DateTimeOffset? ExpiresAt,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Encoding = null)
{
    /// <summary>Whether the value is bytes (sent in base64) rather than text.</summary>
    [JsonIgnore]
    public bool IsBinary => ValueEncodings.IsBase64(Encoding);

    /// <summary>The value's bytes: a binary value decoded from base64, or the UTF-8 of text.</summary>
    /// <exception cref="FormatException">A binary value whose <see cref="Value"/> is not base64.</exception>
    public byte[] GetBytes() => IsBinary ? Convert.FromBase64String(Value) : System.Text.Encoding.UTF8.GetBytes(Value);

    /// <summary>The shard that served this answer and its epoch; filled in by the client from the response headers.</summary>
    [JsonIgnore]
    public ServedBy? ServedBy { get; init; }
}

/// <summary>The outcome of a delete.</summary>
/// <param name="Key">The key deleted.</param>
/// <param name="Version">The log index of the delete.</param>
public sealed record DeleteResult(string Key, long Version)
{
    /// <summary>The shard that served this answer and its epoch; filled in by the client from the response headers.</summary>
    [JsonIgnore]
    public ServedBy? ServedBy { get; init; }
}

/// <summary>Whether a key exists (and has not expired).</summary>
/// <param name="Key">The key asked about.</param>
/// <param name="Exists">True when the key holds a live value.</param>
/// <param name="Version">The key's version when it exists, else null.</param>
public sealed record ExistsResult(string Key, bool Exists, long? Version)
{
    /// <summary>The shard that served this answer and its epoch; filled in by the client from the response headers.</summary>
    [JsonIgnore]
    public ServedBy? ServedBy { get; init; }
}

/// <summary>One key in a page of the key listing.</summary>
/// <param name="Key">The key.</param>
/// <param name="Version">Its version.</param>
/// <param name="ExpiresAt">When it expires, or null.</param>
/// <param name="ValueBytes">Size of its value in bytes (of UTF-8, for text).</param>
/// <param name="Encoding">Null for text; <see cref="ValueEncodings.Base64"/> for a binary value (read it with <c>Accept: application/octet-stream</c>, or in base64).</param>
public sealed record KeySummary(
    string Key,
    long Version,
    DateTimeOffset? ExpiresAt,
    int ValueBytes,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Encoding = null);

/// <summary>A page of keys in ascending ordinal order.</summary>
/// <param name="Items">The keys of this page.</param>
/// <param name="NextCursor">Pass as <c>after</c> to read the next page; null when this is the last page.</param>
public sealed record KeyPage(IReadOnlyList<KeySummary> Items, string? NextCursor);

/// <summary>Body of <c>GET /api/v1/ttl/{key}</c>.</summary>
/// <param name="Key">The key asked about.</param>
/// <param name="TtlSeconds">Whole seconds left (rounded up) before the key expires; null when it never expires.</param>
/// <param name="ExpiresAt">When the key expires, or null.</param>
public sealed record TtlResult(string Key, long? TtlSeconds, DateTimeOffset? ExpiresAt)
{
    /// <summary>The shard that served this answer and its epoch; filled in by the client from the response headers.</summary>
    [JsonIgnore]
    public ServedBy? ServedBy { get; init; }
}
