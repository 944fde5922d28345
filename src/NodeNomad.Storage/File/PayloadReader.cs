using System.Buffers.Binary;

namespace NodeNomad.Storage;

/// <summary>
/// Reads little-endian values one after another. Reading past the end throws <see cref="InvalidDataException"/>:
/// the bytes on disk are not what was written, and callers decide whether that is a torn tail or corruption.
/// </summary>
internal ref struct PayloadReader(ReadOnlySpan<byte> source)
{
    private readonly ReadOnlySpan<byte> _source = source;
    private int _position;

    /// <summary>Bytes read so far.</summary>
    public readonly int Position => _position;

    /// <summary>Bytes not read yet.</summary>
    public readonly int Remaining => _source.Length - _position;

    /// <summary>Whether every byte has been read.</summary>
    public readonly bool AtEnd => _position == _source.Length;

    public byte ReadByte() => Take(1)[0];

    public uint ReadUInt32() => BinaryPrimitives.ReadUInt32LittleEndian(Take(sizeof(uint)));

    public ulong ReadUInt64() => BinaryPrimitives.ReadUInt64LittleEndian(Take(sizeof(ulong)));

    /// <summary>Reads <paramref name="length"/> bytes; the span points into the source.</summary>
    public ReadOnlySpan<byte> ReadBytes(uint length) => Take(length);

    /// <summary>Throws unless every byte has been read: trailing bytes mean the payload is not what was written.</summary>
    public readonly void EnsureAtEnd()
    {
        if (!AtEnd)
        {
            throw new InvalidDataException($"{_source.Length - _position} unexpected bytes after the payload.");
        }
    }

    private ReadOnlySpan<byte> Take(uint length)
    {
        if (length > (uint)(_source.Length - _position))
        {
            throw new InvalidDataException($"The payload ends {length - (_source.Length - _position)} bytes short.");
        }

        ReadOnlySpan<byte> value = _source.Slice(_position, (int)length);
        _position += (int)length;
        return value;
    }
}
