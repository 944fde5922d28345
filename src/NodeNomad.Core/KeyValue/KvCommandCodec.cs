using System.Buffers.Binary;

namespace NodeNomad.Core.KeyValue;

/// <summary>
/// The binary form of <see cref="KvCommand"/> inside a log entry: a kind byte, then fixed-width
/// little-endian integers and length-prefixed UTF-8 strings (or raw bytes, for a binary value). The format is part of
/// the durable log: change it only by adding kinds. A write of text keeps the kinds it always had, so logs written
/// before binary values existed read the same; a write of bytes has kinds of its own.
/// </summary>
public static class KvCommandCodec
{
    private const byte SetKind = 1;
    private const byte DeleteKind = 2;
    private const byte CompareAndSetKind = 3;
    private const byte PurgeExpiredKind = 4;
    private const byte SetBytesKind = 5;
    private const byte CompareAndSetBytesKind = 6;
    private const long NoExpiry = long.MinValue;

    /// <summary>Encodes a command.</summary>
    public static byte[] Encode(KvCommand command)
    {
        ArgumentNullException.ThrowIfNull(command);
        var writer = new ByteWriter();
        switch (command)
        {
            case SetCommand set:
                writer.Byte(set.Value.IsBinary ? SetBytesKind : SetKind);
                writer.Int64(set.Timestamp);
                writer.Int64(set.ExpiresAt ?? NoExpiry);
                writer.String(set.Key);
                writer.Value(set.Value);
                break;
            case DeleteCommand delete:
                writer.Byte(DeleteKind);
                writer.Int64(delete.Timestamp);
                writer.String(delete.Key);
                break;
            case CompareAndSetCommand cas:
                writer.Byte(cas.Value.IsBinary ? CompareAndSetBytesKind : CompareAndSetKind);
                writer.Int64(cas.Timestamp);
                writer.Int64(cas.ExpiresAt ?? NoExpiry);
                writer.Int64(cas.ExpectedVersion);
                writer.String(cas.Key);
                writer.Value(cas.Value);
                break;
            case PurgeExpiredCommand purge:
                writer.Byte(PurgeExpiredKind);
                writer.Int64(purge.Timestamp);
                break;
            default:
                throw new ArgumentException($"Unknown command type {command.GetType().Name}.", nameof(command));
        }

        return writer.ToArray();
    }

    /// <summary>Decodes a command; throws <see cref="FormatException"/> when the bytes are not one.</summary>
    public static KvCommand Decode(ReadOnlySpan<byte> data)
    {
        var reader = new ByteReader(data);
        var kind = reader.Byte();
        var timestamp = reader.Int64();
        KvCommand command = kind switch
        {
            SetKind => DecodeSet(ref reader, timestamp, binary: false),
            SetBytesKind => DecodeSet(ref reader, timestamp, binary: true),
            DeleteKind => new DeleteCommand(reader.String(), timestamp),
            CompareAndSetKind => DecodeCompareAndSet(ref reader, timestamp, binary: false),
            CompareAndSetBytesKind => DecodeCompareAndSet(ref reader, timestamp, binary: true),
            PurgeExpiredKind => new PurgeExpiredCommand(timestamp),
            _ => throw new FormatException($"Unknown key-value command kind {kind}."),
        };
        reader.EnsureEnd();
        return command;
    }

    private static SetCommand DecodeSet(ref ByteReader reader, long timestamp, bool binary)
    {
        var expiresAt = Expiry(reader.Int64());
        var key = reader.String();
        return new SetCommand(key, reader.Value(binary), expiresAt, timestamp);
    }

    private static CompareAndSetCommand DecodeCompareAndSet(ref ByteReader reader, long timestamp, bool binary)
    {
        var expiresAt = Expiry(reader.Int64());
        var expected = reader.Int64();
        var key = reader.String();
        return new CompareAndSetCommand(key, expected, reader.Value(binary), expiresAt, timestamp);
    }

    private static long? Expiry(long raw) => raw == NoExpiry ? null : raw;

    internal static long WriteExpiry(long? expiresAt) => expiresAt ?? NoExpiry;

    internal static long? ReadExpiry(long raw) => Expiry(raw);

    /// <summary>Appends little-endian values to a growing buffer.</summary>
    internal sealed class ByteWriter
    {
        private byte[] _buffer = new byte[64];
        private int _length;

        public void Byte(byte value)
        {
            Ensure(1);
            _buffer[_length++] = value;
        }

        public void Int64(long value)
        {
            Ensure(8);
            BinaryPrimitives.WriteInt64LittleEndian(_buffer.AsSpan(_length), value);
            _length += 8;
        }

        public void Int32(int value)
        {
            Ensure(4);
            BinaryPrimitives.WriteInt32LittleEndian(_buffer.AsSpan(_length), value);
            _length += 4;
        }

        public void String(string value)
        {
            var count = KeyRules.StrictUtf8.GetByteCount(value);
            Int32(count);
            Ensure(count);
            _length += KeyRules.StrictUtf8.GetBytes(value, _buffer.AsSpan(_length));
        }

        public void Bytes(ReadOnlySpan<byte> value)
        {
            Int32(value.Length);
            Ensure(value.Length);
            value.CopyTo(_buffer.AsSpan(_length));
            _length += value.Length;
        }

        /// <summary>A value's content, length-prefixed: UTF-8 for text, the bytes as they are for binary (the kind is the caller's to record).</summary>
        public void Value(KvValue value)
        {
            if (value.IsBinary)
            {
                Bytes(value.RawBytes);
            }
            else
            {
                String(value.Text!);
            }
        }

        public byte[] ToArray() => _buffer.AsSpan(0, _length).ToArray();

        private void Ensure(int more)
        {
            if (_length + more <= _buffer.Length)
            {
                return;
            }

            Array.Resize(ref _buffer, Math.Max(_buffer.Length * 2, _length + more));
        }
    }

    /// <summary>Reads what <see cref="ByteWriter"/> wrote, failing with <see cref="FormatException"/> on short or bad input.</summary>
    internal ref struct ByteReader(ReadOnlySpan<byte> data)
    {
        private readonly ReadOnlySpan<byte> _data = data;
        private int _position;

        public byte Byte()
        {
            Need(1);
            return _data[_position++];
        }

        public long Int64()
        {
            Need(8);
            var value = BinaryPrimitives.ReadInt64LittleEndian(_data[_position..]);
            _position += 8;
            return value;
        }

        public int Int32()
        {
            Need(4);
            var value = BinaryPrimitives.ReadInt32LittleEndian(_data[_position..]);
            _position += 4;
            return value;
        }

        public string String()
        {
            var length = Int32();
            if (length < 0)
            {
                throw new FormatException($"Negative string length {length}.");
            }

            Need(length);
            try
            {
                var text = KeyRules.StrictUtf8.GetString(_data.Slice(_position, length));
                _position += length;
                return text;
            }
            catch (ArgumentException e)
            {
                throw new FormatException("A string is not valid UTF-8.", e);
            }
        }

        public byte[] Bytes()
        {
            var length = Int32();
            if (length < 0)
            {
                throw new FormatException($"Negative byte string length {length}.");
            }

            Need(length);
            var bytes = _data.Slice(_position, length).ToArray();
            _position += length;
            return bytes;
        }

        public KvValue Value(bool binary) => binary ? KvValue.OwnBytes(Bytes()) : KvValue.FromText(String());

        public readonly void EnsureEnd()
        {
            if (_position != _data.Length)
            {
                throw new FormatException($"{_data.Length - _position} unexpected trailing bytes.");
            }
        }

        private readonly void Need(int count)
        {
            if (_data.Length - _position < count)
            {
                throw new FormatException($"Truncated: needed {count} bytes at offset {_position} of {_data.Length}.");
            }
        }
    }
}
