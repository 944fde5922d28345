namespace NodeNomad.Node.Transport;

/// <summary>
/// Reads the wire's numbers and byte strings from one frame's payload. Every length and count is checked
/// against the bytes left in the payload before anything is allocated, so a lying length costs nothing; every
/// failure is a <see cref="FormatException"/>.
/// </summary>
internal ref struct WireReader(ReadOnlySpan<byte> source)
{
    private ReadOnlySpan<byte> _remaining = source;

    public readonly bool End => _remaining.IsEmpty;

    public byte Byte(string what)
    {
        if (_remaining.IsEmpty)
        {
            throw new FormatException($"The frame ends before {what}.");
        }

        var value = _remaining[0];
        _remaining = _remaining[1..];
        return value;
    }

    public ulong Varint(string what)
    {
        ulong value = 0;
        for (int shift = 0; ; shift += 7)
        {
            var b = Byte(what);
            if (shift == 63 && b > 1)
            {
                throw new FormatException($"{Capitalized(what)} does not fit in 64 bits.");
            }

            value |= (ulong)(b & 0x7F) << shift;
            if (b < 0x80)
            {
                return value;
            }
        }
    }

    /// <summary>A count of items that take at least <paramref name="minBytesEach"/> bytes each, so it cannot exceed what is left.</summary>
    public int Count(string what, int minBytesEach)
    {
        var count = Varint(what);
        if (count > (ulong)(_remaining.Length / minBytesEach))
        {
            throw new FormatException($"{Capitalized(what)} ({count}) cannot fit in the {_remaining.Length} bytes left in the frame.");
        }

        return (int)count;
    }

    /// <summary>A length-prefixed byte string, copied out of the frame.</summary>
    public ReadOnlyMemory<byte> Bytes(string what)
    {
        var length = Count(what, 1);
        if (length == 0)
        {
            return ReadOnlyMemory<byte>.Empty;
        }

        var copy = _remaining[..length].ToArray();
        _remaining = _remaining[length..];
        return copy;
    }

    public readonly void ExpectEnd(string what)
    {
        if (!_remaining.IsEmpty)
        {
            throw new FormatException($"{_remaining.Length} unexpected bytes follow {what}.");
        }
    }

    private static string Capitalized(string what) => string.Concat(what[..1].ToUpperInvariant(), what.AsSpan(1));
}
