using System.Buffers.Binary;
using System.Security.Cryptography;

namespace NodeNomad.Node.Transport;

/// <summary>
/// A snapshot being sent: its frames (start, the data in chunks read from the snapshot's stream, end with the data's
/// SHA-256) produced one at a time into one reused buffer, so the data is never whole in memory. A send that resumes
/// an interrupted one starts at an offset: the bytes before it are read only to hash them.
/// </summary>
internal sealed class OutgoingSnapshot : IDisposable
{
    private readonly Stream _data;
    private readonly IncrementalHash _hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
    private readonly byte[] _frame;
    private readonly int _chunkBytes;
    private bool _started;
    private bool _ended;

    private OutgoingSnapshot(GroupMessage message, Stream data, long resumeAt, int chunkBytes)
    {
        Message = message;
        Total = message.Message.Snapshot!.Data.Length;
        ResumedFrom = resumeAt;
        Sent = resumeAt;
        _data = data;
        _chunkBytes = chunkBytes;
        _frame = new byte[RaftMessageCodec.FrameHeaderBytes + (int)Math.Max(Math.Min(chunkBytes, Total), RaftMessageCodec.SnapshotDigestBytes)];
    }

    public GroupMessage Message { get; }

    /// <summary>The data's length.</summary>
    public long Total { get; }

    /// <summary>Bytes of data the receiver holds once the frames produced so far arrive (resumed ones included).</summary>
    public long Sent { get; private set; }

    /// <summary>Where this send started in the data: 0, or where an interrupted one stopped.</summary>
    public long ResumedFrom { get; }

    /// <summary>The data bytes the next frame carries: 0 when it is the start or the end.</summary>
    public int NextChunkBytes => _started && Sent < Total ? (int)Math.Min(_chunkBytes, Total - Sent) : 0;

    /// <summary>Whether every frame was produced.</summary>
    public bool Done => _ended;

    /// <summary>Opens the snapshot's data and skips (hashing them) the <paramref name="resumeAt"/> bytes the receiver holds.</summary>
    /// <exception cref="IOException">The data can no longer be read (its file was replaced by a newer snapshot).</exception>
    public static OutgoingSnapshot Open(GroupMessage message, long resumeAt, int chunkBytes)
    {
        var snapshot = message.Message.Snapshot ?? throw new ArgumentException("Only a Snapshot message carrying a snapshot travels in snapshot frames.", nameof(message));
        ArgumentOutOfRangeException.ThrowIfNegative(resumeAt);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(resumeAt, snapshot.Data.Length);
        var data = snapshot.Data.OpenRead();
        var outgoing = new OutgoingSnapshot(message, data, resumeAt, chunkBytes);
        try
        {
            var buffer = new byte[Math.Min(1024 * 1024, Math.Max(resumeAt, 1))];
            for (long skipped = 0; skipped < resumeAt;)
            {
                var read = data.Read(buffer, 0, (int)Math.Min(buffer.Length, resumeAt - skipped));
                if (read == 0)
                {
                    throw new IOException($"The snapshot's data ended after {skipped} of {resumeAt} bytes.");
                }

                outgoing._hash.AppendData(buffer, 0, read);
                skipped += read;
            }

            return outgoing;
        }
        catch
        {
            outgoing.Dispose();
            throw;
        }
    }

    /// <summary>
    /// The next frame, valid until the following call; null once the end frame was produced.
    /// </summary>
    /// <exception cref="IOException">The data could not be read, or was shorter than announced.</exception>
    public ReadOnlyMemory<byte>? Next()
    {
        if (!_started)
        {
            _started = true;
            return RaftMessageCodec.SnapshotStartFrame(Message, ResumedFrom);
        }

        if (Sent < Total)
        {
            var length = (int)Math.Min(_chunkBytes, Total - Sent);
            var payload = _frame.AsSpan(RaftMessageCodec.FrameHeaderBytes, length);
            _data.ReadExactly(payload);
            _hash.AppendData(payload);
            Sent += length;
            return Framed(RaftFrameType.SnapshotChunk, length);
        }

        if (_ended)
        {
            return null;
        }

        _ended = true;
        _hash.GetHashAndReset(_frame.AsSpan(RaftMessageCodec.FrameHeaderBytes, RaftMessageCodec.SnapshotDigestBytes));
        return Framed(RaftFrameType.SnapshotEnd, RaftMessageCodec.SnapshotDigestBytes);
    }

    public void Dispose()
    {
        _data.Dispose();
        _hash.Dispose();
    }

    private ReadOnlyMemory<byte> Framed(RaftFrameType type, int payloadLength)
    {
        BinaryPrimitives.WriteUInt32BigEndian(_frame, (uint)payloadLength);
        _frame[4] = (byte)type;
        return _frame.AsMemory(0, RaftMessageCodec.FrameHeaderBytes + payloadLength);
    }
}
