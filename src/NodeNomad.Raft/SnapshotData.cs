namespace NodeNomad.Raft;

/// <summary>
/// A snapshot's bytes, read as a stream: held in memory (small state, tests) or in a file, so that a large shard's
/// snapshot is written, stored, sent and restored without ever being one array. Each <see cref="OpenRead"/> gives
/// an independent reader from the first byte.
/// </summary>
public abstract class SnapshotData
{
    /// <summary>No bytes.</summary>
    public static SnapshotData Empty { get; } = new InMemory(ReadOnlyMemory<byte>.Empty);

    /// <summary>How many bytes the snapshot holds.</summary>
    public abstract long Length { get; }

    /// <summary>
    /// The data already decoded, when a receiver did that off the node's loop (a large shard takes seconds to read):
    /// the state machine may take it instead of reading the bytes, once. Set before the snapshot is handed on; null
    /// otherwise.
    /// </summary>
    public object? Prepared { get; set; }

    /// <summary>A new reader over the bytes, positioned at the first.</summary>
    /// <exception cref="IOException">The bytes are no longer there (a file replaced by a newer snapshot).</exception>
    public abstract Stream OpenRead();

    /// <summary>Bytes already in memory; they are not copied, so they must not change afterwards.</summary>
    public static SnapshotData FromBytes(ReadOnlyMemory<byte> bytes) => bytes.IsEmpty ? Empty : new InMemory(bytes);

    /// <summary><paramref name="length"/> bytes of the file at <paramref name="path"/> from <paramref name="offset"/>.</summary>
    public static FileSnapshotData FromFile(string path, long offset, long length) => new(path, offset, length);

    /// <summary>Wraps bytes already in memory (see <see cref="FromBytes"/>).</summary>
    public static implicit operator SnapshotData(byte[] bytes) => FromBytes(bytes);

    /// <summary>Wraps bytes already in memory (see <see cref="FromBytes"/>).</summary>
    public static implicit operator SnapshotData(ReadOnlyMemory<byte> bytes) => FromBytes(bytes);

    /// <summary>Wraps bytes already in memory (see <see cref="FromBytes"/>).</summary>
    public static SnapshotData FromByteArray(byte[] bytes) => FromBytes(bytes);

    /// <summary>
    /// Every byte in one array: for state known to be small (the cluster map) and for tests. A shard's snapshot is
    /// read through <see cref="OpenRead"/> instead.
    /// </summary>
    public virtual byte[] ToArray()
    {
        using var stream = OpenRead();
        var bytes = new byte[checked((int)Length)];
        stream.ReadExactly(bytes);
        return bytes;
    }

    private sealed class InMemory(ReadOnlyMemory<byte> bytes) : SnapshotData
    {
        public override long Length => bytes.Length;

        public override Stream OpenRead() => new ReadOnlyMemoryStream(bytes);

        public override byte[] ToArray() => bytes.ToArray();

        public override string ToString() => $"{bytes.Length} bytes in memory";
    }

    /// <summary>A read-only view of the next <c>length</c> bytes of a stream, which it owns.</summary>
    internal sealed class Window(Stream inner, long length) : Stream
    {
        private long _read;

        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => false;

        public override long Length => length;

        public override long Position
        {
            get => _read;
            set => throw new NotSupportedException();
        }

        public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

        public override int Read(Span<byte> buffer)
        {
            var wanted = (int)Math.Min(buffer.Length, length - _read);
            if (wanted == 0)
            {
                return 0;
            }

            var read = inner.Read(buffer[..wanted]);
            _read += read;
            return read;
        }

        public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
        {
            var wanted = (int)Math.Min(buffer.Length, length - _read);
            if (wanted == 0)
            {
                return 0;
            }

            var read = await inner.ReadAsync(buffer[..wanted], cancellationToken).ConfigureAwait(false);
            _read += read;
            return read;
        }

        public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
            ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        protected override void Dispose(bool disposing)
        {
            if (disposing)
            {
                inner.Dispose();
            }

            base.Dispose(disposing);
        }
    }

    /// <summary>A read-only stream over memory, without copying it.</summary>
    private sealed class ReadOnlyMemoryStream(ReadOnlyMemory<byte> bytes) : Stream
    {
        private int _position;

        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => false;

        public override long Length => bytes.Length;

        public override long Position
        {
            get => _position;
            set => throw new NotSupportedException();
        }

        public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

        public override int Read(Span<byte> buffer)
        {
            var count = Math.Min(buffer.Length, bytes.Length - _position);
            bytes.Span.Slice(_position, count).CopyTo(buffer);
            _position += count;
            return count;
        }

        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
            ValueTask.FromResult(Read(buffer.Span));

        public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
            Task.FromResult(Read(buffer.AsSpan(offset, count)));

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}

/// <summary>
/// A snapshot's bytes in a file: <see cref="SnapshotData.Length"/> bytes from <see cref="Offset"/>. Whoever wrote
/// the file decides when it goes; a reader opened before it went keeps reading (the file system keeps an open file),
/// and one opened after fails with an <see cref="IOException"/>, so a sender falls back to the group's newer snapshot.
/// </summary>
public sealed class FileSnapshotData : SnapshotData
{
    private readonly long _length;

    internal FileSnapshotData(string path, long offset, long length)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        ArgumentOutOfRangeException.ThrowIfNegative(offset);
        ArgumentOutOfRangeException.ThrowIfNegative(length);
        Path = path;
        Offset = offset;
        _length = length;
    }

    /// <summary>The file.</summary>
    public string Path { get; }

    /// <summary>Where in the file the bytes start.</summary>
    public long Offset { get; }

    /// <inheritdoc />
    public override long Length => _length;

    /// <inheritdoc />
    public override Stream OpenRead()
    {
        var file = new FileStream(Path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete, bufferSize: 0);
        try
        {
            if (file.Length < Offset + _length)
            {
                throw new IOException($"Snapshot file '{Path}' holds {file.Length} bytes, fewer than the {Offset + _length} its snapshot needs.");
            }

            file.Position = Offset;
            return new Window(file, _length);
        }
        catch
        {
            file.Dispose();
            throw;
        }
    }

    /// <inheritdoc />
    public override string ToString() => $"{_length} bytes of '{Path}' from {Offset}";
}
