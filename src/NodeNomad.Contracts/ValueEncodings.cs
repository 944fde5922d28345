namespace NodeNomad.Contracts;

/// <summary>
/// How a value travels in JSON: the <c>encoding</c> field of a write and of a read. Text is the default and needs no
/// field; bytes travel as base64 and always say so, so that a binary value is never mistaken for text.
/// </summary>
public static class ValueEncodings
{
    /// <summary>The value is text (the default when <c>encoding</c> is absent).</summary>
    public const string Utf8 = "utf-8";

    /// <summary>The value is bytes, written in standard base64 (RFC 4648, with padding).</summary>
    public const string Base64 = "base64";

    /// <summary>Whether <paramref name="encoding"/> names base64 (in any case).</summary>
    public static bool IsBase64(string? encoding) => string.Equals(encoding, Base64, StringComparison.OrdinalIgnoreCase);
}
