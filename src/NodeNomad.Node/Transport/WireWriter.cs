using System.Numerics;

namespace NodeNomad.Node.Transport;

/// <summary>Writes the wire's numbers and byte strings into a span sized in advance by the matching measure.</summary>
internal ref struct WireWriter(Span<byte> destination)
{
    private readonly Span<byte> _destination = destination;
    private int _written;

    /// <summary>Bytes written so far.</summary>
    public readonly int Written => _written;

    /// <summary>Bytes an unsigned LEB128 varint of <paramref name="value"/> takes: 7 bits per byte.</summary>
    public static int VarintLength(ulong value) => (BitOperations.Log2(value | 1) / 7) + 1;

    /// <summary>Bytes a length-prefixed byte string of <paramref name="length"/> bytes takes.</summary>
    public static long BytesLength(int length) => VarintLength((ulong)length) + (long)length;

    public void Byte(byte value) => _destination[_written++] = value;

    public void Varint(ulong value)
    {
        while (value >= 0x80)
        {
            _destination[_written++] = (byte)(value | 0x80);
            value >>= 7;
        }

        _destination[_written++] = (byte)value;
    }

    public void Bytes(ReadOnlySpan<byte> value)
    {
        Varint((ulong)value.Length);
        Raw(value);
    }

    public void Raw(ReadOnlySpan<byte> value)
    {
        value.CopyTo(_destination[_written..]);
        _written += value.Length;
    }
}
