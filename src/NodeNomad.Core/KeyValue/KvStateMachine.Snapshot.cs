using System.Buffers;
using System.Buffers.Binary;

namespace NodeNomad.Core.KeyValue;

public sealed partial class KvStateMachine
{
    internal const uint SnapshotMagic = 0x4E4E4B56; // "NNKV"
    /// <summary>
    /// The format written: 2 gives each record a kind byte (<see cref="TextKind"/> or <see cref="BytesKind"/>) before
    /// its value. Format 1, from before binary values, held text only, and is still read.
    /// </summary>
    internal const int SnapshotFormat = 2;

    internal const int TextOnlySnapshotFormat = 1;

    internal const byte TextKind = 0;

    internal const byte BytesKind = 1;

    /// <summary>
    /// The state as it is now, fixed: the records (which never change once made) in key order and the applied
    /// index. Taking it costs one array of references; writing it (<see cref="KvSnapshotImage.WriteTo"/>) may then
    /// happen on another thread while this machine goes on applying.
    /// </summary>
    public KvSnapshotImage Freeze()
    {
        var records = new KvRecord[_records.Count];
        var i = 0;
        foreach (var key in _order)
        {
            records[i++] = _records[key];
        }

        return new KvSnapshotImage(AppliedIndex, records);
    }

    /// <summary>
    /// Serializes every held record (expired ones too: they leave only through a logged purge) and the
    /// applied index, in one array. The bytes restore to an identical state machine on any replica.
    /// </summary>
    public byte[] Serialize()
    {
        using var bytes = new MemoryStream();
        Freeze().WriteTo(bytes);
        return bytes.ToArray();
    }

    /// <summary>Whether <paramref name="head"/>, the first bytes of some snapshot, starts a key-value one.</summary>
    public static bool IsKeyValueSnapshot(ReadOnlySpan<byte> head) =>
        head.Length >= 4 && BinaryPrimitives.ReadUInt32LittleEndian(head) == SnapshotMagic;

    /// <summary>Rebuilds a state machine from <see cref="Serialize"/>'s bytes; throws <see cref="FormatException"/> on bad input.</summary>
    public static KvStateMachine Restore(ReadOnlySpan<byte> snapshot)
    {
        using var stream = new MemoryStream(snapshot.ToArray(), writable: false);
        return Restore(stream);
    }

    /// <summary>
    /// Rebuilds a state machine from a snapshot read off <paramref name="snapshot"/> to its end, a record at a time;
    /// throws <see cref="FormatException"/> on bad input (short, trailing bytes, wrong magic or format). The stream is
    /// closed when the method returns.
    /// </summary>
    public static KvStateMachine Restore(Stream snapshot)
    {
        ArgumentNullException.ThrowIfNull(snapshot);
        using var buffered = new BufferedStream(snapshot, SnapshotReader.BufferBytes);
        var reader = new SnapshotReader(buffered);
        try
        {
            if (unchecked((uint)reader.Int32()) != SnapshotMagic)
            {
                throw new FormatException("Not a key-value snapshot.");
            }

            var format = reader.Int32();
            if (format is not (SnapshotFormat or TextOnlySnapshotFormat))
            {
                throw new FormatException($"Unknown key-value snapshot format {format}.");
            }

            var machine = new KvStateMachine();
            var applied = reader.Int64();
            var count = reader.Int32();
            if (count < 0)
            {
                throw new FormatException($"A negative record count {count}.");
            }

            for (var i = 0; i < count; i++)
            {
                var key = reader.String();
                var value = format == TextOnlySnapshotFormat ? KvValue.FromText(reader.String()) : reader.Value();
                var version = reader.Int64();
                var expiresAt = KvCommandCodec.ReadExpiry(reader.Int64());
                machine.Put(version, key, value, expiresAt);
            }

            reader.EnsureEnd();
            machine.AppliedIndex = applied;
            return machine;
        }
        catch (EndOfStreamException e)
        {
            throw new FormatException("The key-value snapshot is truncated.", e);
        }
    }

    /// <summary>Reads the snapshot's little-endian values from a buffered stream.</summary>
    private sealed class SnapshotReader(BufferedStream stream)
    {
        public const int BufferBytes = 256 * 1024;

        private readonly BufferedStream _stream = stream;
        private readonly byte[] _scratch = new byte[8];
        private readonly long? _length = Remaining(stream.UnderlyingStream);
        private long _read;

        public int Int32()
        {
            Fill(4);
            return BinaryPrimitives.ReadInt32LittleEndian(_scratch);
        }

        public long Int64()
        {
            Fill(8);
            return BinaryPrimitives.ReadInt64LittleEndian(_scratch);
        }

        public byte Byte()
        {
            Fill(1);
            return _scratch[0];
        }

        public byte[] Bytes()
        {
            var length = Length();
            var bytes = new byte[length];
            _stream.ReadExactly(bytes, 0, length);
            _read += length;
            return bytes;
        }

        public string String()
        {
            var length = Length();
            var bytes = ArrayPool<byte>.Shared.Rent(length);
            try
            {
                _stream.ReadExactly(bytes, 0, length);
                _read += length;
                return KeyRules.StrictUtf8.GetString(bytes, 0, length);
            }
            catch (ArgumentException e)
            {
                throw new FormatException("A string is not valid UTF-8.", e);
            }
            finally
            {
                ArrayPool<byte>.Shared.Return(bytes);
            }
        }

        /// <summary>A length prefix, checked against what is left of the stream when its length is known.</summary>
        private int Length()
        {
            var length = Int32();
            if (length < 0)
            {
                throw new FormatException($"Negative length {length}.");
            }

            if (_length is { } total && length > total - _read)
            {
                throw new FormatException($"Truncated: {length} bytes at offset {_read} of {total}.");
            }

            return length;
        }

        public KvValue Value()
        {
            var kind = Byte();
            return kind switch
            {
                TextKind => KvValue.FromText(String()),
                BytesKind => KvValue.OwnBytes(Bytes()),
                _ => throw new FormatException($"Unknown value kind {kind}."),
            };
        }

        public void EnsureEnd()
        {
            var trailing = 0L;
            while (_stream.Read(_scratch) is var read and > 0)
            {
                trailing += read;
            }

            if (trailing > 0)
            {
                throw new FormatException($"{trailing} unexpected trailing bytes.");
            }
        }

        /// <summary>What is left of a stream that knows its length (seekable or not), else null.</summary>
        private static long? Remaining(Stream stream)
        {
            try
            {
                return stream.Length - stream.Position;
            }
            catch (NotSupportedException)
            {
                return null;
            }
        }

        private void Fill(int count)
        {
            _stream.ReadExactly(_scratch, 0, count);
            _read += count;
        }
    }
}

/// <summary>
/// A shard's key-value state fixed at one applied index (<see cref="KvStateMachine.Freeze"/>), written out as a
/// snapshot a record at a time, so that the shard is never serialized into one array.
/// </summary>
public sealed class KvSnapshotImage
{
    private const int BufferBytes = 256 * 1024;

    private readonly KvRecord[] _records;

    internal KvSnapshotImage(long appliedIndex, KvRecord[] records)
    {
        AppliedIndex = appliedIndex;
        _records = records;
    }

    /// <summary>The index of the last entry the image includes.</summary>
    public long AppliedIndex { get; }

    /// <summary>Writes the snapshot to <paramref name="destination"/>, which it leaves open.</summary>
    public void WriteTo(Stream destination)
    {
        ArgumentNullException.ThrowIfNull(destination);
        var output = new Output(destination);
        try
        {
            output.UInt32(KvStateMachine.SnapshotMagic);
            output.Int32(KvStateMachine.SnapshotFormat);
            output.Int64(AppliedIndex);
            output.Int32(_records.Length);
            foreach (var record in _records)
            {
                output.String(record.Key);
                if (record.Value.IsBinary)
                {
                    output.Byte(KvStateMachine.BytesKind);
                    output.Bytes(record.Value.RawBytes);
                }
                else
                {
                    output.Byte(KvStateMachine.TextKind);
                    output.String(record.Value.Text!);
                }

                output.Int64(record.Version);
                output.Int64(KvCommandCodec.WriteExpiry(record.ExpiresAt));
            }

            output.Flush();
        }
        finally
        {
            output.Release();
        }
    }

    /// <summary>Little-endian values gathered in a pooled buffer and written to the stream a buffer at a time.</summary>
    private sealed class Output(Stream destination)
    {
        private byte[] _buffer = ArrayPool<byte>.Shared.Rent(BufferBytes);
        private int _length;

        public void Byte(byte value) => Take(1)[0] = value;

        public void UInt32(uint value) => BinaryPrimitives.WriteUInt32LittleEndian(Take(4), value);

        public void Int32(int value) => BinaryPrimitives.WriteInt32LittleEndian(Take(4), value);

        public void Int64(long value) => BinaryPrimitives.WriteInt64LittleEndian(Take(8), value);

        public void String(string text)
        {
            var length = KeyRules.StrictUtf8.GetByteCount(text);
            Int32(length);
            if (length <= _buffer.Length)
            {
                KeyRules.StrictUtf8.GetBytes(text, Take(length));
                return;
            }

            // Larger than the buffer: encoded on its own and written straight through.
            Flush();
            var bytes = ArrayPool<byte>.Shared.Rent(length);
            try
            {
                KeyRules.StrictUtf8.GetBytes(text, bytes);
                destination.Write(bytes, 0, length);
            }
            finally
            {
                ArrayPool<byte>.Shared.Return(bytes);
            }
        }

        public void Bytes(ReadOnlySpan<byte> bytes)
        {
            Int32(bytes.Length);
            if (bytes.Length <= _buffer.Length)
            {
                bytes.CopyTo(Take(bytes.Length));
                return;
            }

            Flush();
            destination.Write(bytes);
        }

        public void Flush()
        {
            destination.Write(_buffer, 0, _length);
            _length = 0;
        }

        public void Release()
        {
            ArrayPool<byte>.Shared.Return(_buffer);
            _buffer = [];
        }

        private Span<byte> Take(int count)
        {
            if (_length + count > _buffer.Length)
            {
                Flush();
            }

            var span = _buffer.AsSpan(_length, count);
            _length += count;
            return span;
        }
    }
}
