namespace NodeNomad.Contracts;

/// <summary>
/// Values as raw bodies rather than JSON. <c>PUT /api/v1/set/{key}</c> (and <c>PUT /api/v1/cas/{key}?expectedVersion=N</c>)
/// with <see cref="OctetStream"/> stores the body as bytes, with <c>text/plain</c> as text; <c>GET /api/v1/get/{key}</c> with
/// <c>Accept: application/octet-stream</c> answers the value's bytes (a text value's UTF-8) with the headers below.
/// </summary>
public static class RawValue
{
    /// <summary>The media type of a value's raw bytes.</summary>
    public const string OctetStream = "application/octet-stream";

    /// <summary>The media type of a text value sent raw (UTF-8).</summary>
    public const string PlainText = "text/plain";

    /// <summary>Response to a raw read: the value's version (decimal).</summary>
    public const string VersionHeader = "X-NodeNomad-Version";

    /// <summary>Response to a raw read: when the key expires (ISO 8601), absent when it never does.</summary>
    public const string ExpiresAtHeader = "X-NodeNomad-Expires-At";

    /// <summary>Response to a raw read: the kind of value held, <see cref="ValueEncodings.Utf8"/> for text or <see cref="Binary"/> for bytes.</summary>
    public const string KindHeader = "X-NodeNomad-Value-Kind";

    /// <summary>The <see cref="KindHeader"/> of a binary value.</summary>
    public const string Binary = "binary";
}
