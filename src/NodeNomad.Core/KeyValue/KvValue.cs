using System.Text;

namespace NodeNomad.Core.KeyValue;

/// <summary>
/// A value as the store holds it: either text (kept as a string, sized in UTF-8) or bytes (kept as they came). The
/// kind is part of the value: it goes through the log, the snapshot and the digest, so a reader gets back what the
/// writer sent — text as text, bytes as bytes — and never a conversion of one into the other.
/// Immutable: the bytes are copied in and never handed out for writing.
/// </summary>
public sealed class KvValue : IEquatable<KvValue>
{
    private readonly string? _text;
    private readonly byte[]? _bytes;

    private KvValue(string? text, byte[]? bytes, int byteCount)
    {
        _text = text;
        _bytes = bytes;
        ByteCount = byteCount;
    }

    /// <summary>The empty text.</summary>
    public static KvValue Empty { get; } = new(string.Empty, null, 0);

    /// <summary>Whether the value is bytes rather than text.</summary>
    public bool IsBinary => _bytes is not null;

    /// <summary>The text, or null for a binary value.</summary>
    public string? Text => _text;

    /// <summary>The value's size: UTF-8 bytes of text, or the bytes themselves.</summary>
    public int ByteCount { get; }

    /// <summary>The value's bytes: the bytes of a binary value, the UTF-8 of text (encoded on each call).</summary>
    public ReadOnlyMemory<byte> Bytes => _bytes ?? KeyRules.StrictUtf8.GetBytes(_text!);

    /// <summary>A text value; the text must be valid Unicode (<see cref="KeyRules.CheckValue"/>).</summary>
    public static KvValue FromText(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        return text.Length == 0 ? Empty : new KvValue(text, null, KeyRules.StrictUtf8.GetByteCount(text));
    }

    /// <summary>A binary value holding a copy of <paramref name="bytes"/>.</summary>
    public static KvValue FromBytes(ReadOnlySpan<byte> bytes) => new(null, bytes.ToArray(), bytes.Length);

    /// <summary>Text values read as strings, which keeps commands and tests that write text as plain as before.</summary>
    public static implicit operator KvValue(string text) => FromText(text);

    /// <summary>Takes ownership of <paramref name="bytes"/>, which the caller must not change afterwards.</summary>
    internal static KvValue OwnBytes(byte[] bytes) => new(null, bytes, bytes.Length);

    /// <summary>The bytes of a binary value without a copy, for the codecs; empty for text.</summary>
    internal ReadOnlySpan<byte> RawBytes => _bytes;

    /// <inheritdoc />
    public bool Equals(KvValue? other) =>
        other is not null && (ReferenceEquals(this, other) || (_bytes is null
            ? other._bytes is null && string.Equals(_text, other._text, StringComparison.Ordinal)
            : other._bytes is not null && _bytes.AsSpan().SequenceEqual(other._bytes)));

    /// <inheritdoc />
    public override bool Equals(object? obj) => Equals(obj as KvValue);

    /// <inheritdoc />
    public override int GetHashCode()
    {
        if (_bytes is null)
        {
            return StringComparer.Ordinal.GetHashCode(_text!);
        }

        var hash = new HashCode();
        hash.AddBytes(_bytes);
        return hash.ToHashCode();
    }

    /// <summary>The text, or "binary, N bytes" with the first bytes in hex.</summary>
    public override string ToString()
    {
        if (_bytes is null)
        {
            return _text!;
        }

        var shown = new StringBuilder($"binary, {_bytes.Length} bytes");
        if (_bytes.Length > 0)
        {
            shown.Append(": ").Append(Convert.ToHexString(_bytes.AsSpan(0, Math.Min(_bytes.Length, 16))));
            if (_bytes.Length > 16)
            {
                shown.Append('…');
            }
        }

        return shown.ToString();
    }
}
