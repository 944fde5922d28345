using System.Buffers;
using System.Buffers.Binary;
using System.IO.Pipelines;

namespace NodeNomad.Node.Transport;

/// <summary>
/// Reads the frames of one peer stream (see <see cref="RaftMessageCodec"/>) and turns them back into
/// <see cref="GroupMessage"/>s, reassembling snapshots from their chunks. Anything malformed, oversized or out
/// of order is a <see cref="FormatException"/>; a frame's announced length is checked against
/// <see cref="RaftMessageCodec.MaxFramePayloadBytes"/> before its payload is buffered.
/// </summary>
/// <param name="reader">The stream's bytes.</param>
/// <param name="maxSnapshotBytes">The largest snapshot accepted.</param>
/// <param name="metrics">Where frames read are counted, if anywhere.</param>
/// <param name="inbox">
/// Where snapshots are assembled, across streams (so that a broken one can be resumed); by default an inbox of this
/// reader's own that gathers them in memory.
/// </param>
public sealed class RaftStreamReader(PipeReader reader, long maxSnapshotBytes = RaftStreamReader.MaxSnapshotBytes, RaftTransportMetrics? metrics = null, SnapshotInbox? inbox = null)
{
    /// <summary>The largest snapshot a reader accepts unless told otherwise: the largest byte array .NET allows.</summary>
    public const long MaxSnapshotBytes = 0x7FFFFFC7;

    private readonly PipeReader _reader = reader ?? throw new ArgumentNullException(nameof(reader));
    private readonly long _maxSnapshotBytes = maxSnapshotBytes is > 0 and <= MaxSnapshotBytes
        ? maxSnapshotBytes
        : throw new ArgumentOutOfRangeException(nameof(maxSnapshotBytes), maxSnapshotBytes, $"A snapshot limit is between 1 and {MaxSnapshotBytes} bytes.");

    private readonly SnapshotInbox _inbox = inbox ?? new SnapshotInbox(staging: null);
    private SnapshotAssembly? _snapshot;

    /// <summary>
    /// Waits for at least one more whole frame and adds the messages it completes (possibly none, for a snapshot
    /// chunk) to <paramref name="output"/>. Returns false once the stream has ended cleanly between frames.
    /// </summary>
    /// <exception cref="FormatException">The stream holds a bad frame, or ends inside a frame or a snapshot.</exception>
    public async ValueTask<bool> ReadAsync(ICollection<GroupMessage> output, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(output);
        try
        {
            return await ReadFramesAsync(output, cancellationToken);
        }
        catch when (_snapshot is { } interrupted)
        {
            // The stream broke (or brought a bad frame) inside a snapshot: what arrived of it waits in the inbox for
            // the sender to resume.
            _snapshot = null;
            _inbox.Interrupted(interrupted);
            throw;
        }
    }

    private async ValueTask<bool> ReadFramesAsync(ICollection<GroupMessage> output, CancellationToken cancellationToken)
    {
        while (true)
        {
            var result = await _reader.ReadAsync(cancellationToken);
            var buffer = result.Buffer;
            var frames = 0;
            try
            {
                while (TryReadFrame(ref buffer, output))
                {
                    frames++;
                }
            }
            finally
            {
                _reader.AdvanceTo(buffer.Start, buffer.End);
            }

            if (frames > 0)
            {
                return true;
            }

            if (result.IsCompleted)
            {
                if (!buffer.IsEmpty)
                {
                    throw new FormatException($"The stream ended inside a frame ({buffer.Length} bytes of it arrived).");
                }

                if (_snapshot is not null)
                {
                    throw new FormatException("The stream ended inside a snapshot.");
                }

                return false;
            }

            if (result.IsCanceled)
            {
                throw new OperationCanceledException("Reading the peer stream was canceled.");
            }
        }
    }

    private bool TryReadFrame(ref ReadOnlySequence<byte> buffer, ICollection<GroupMessage> output)
    {
        if (buffer.Length < RaftMessageCodec.FrameHeaderBytes)
        {
            return false;
        }

        Span<byte> header = stackalloc byte[RaftMessageCodec.FrameHeaderBytes];
        buffer.Slice(0, RaftMessageCodec.FrameHeaderBytes).CopyTo(header);
        var length = BinaryPrimitives.ReadUInt32BigEndian(header);
        var type = (RaftFrameType)header[4];
        if (length > RaftMessageCodec.MaxFramePayloadBytes)
        {
            throw new FormatException($"A frame announces {length} bytes, more than the {RaftMessageCodec.MaxFramePayloadBytes} a frame may have.");
        }

        if (type is < RaftFrameType.Batch or > RaftFrameType.SnapshotEnd)
        {
            throw new FormatException($"Frame type {(byte)type} is not a known type.");
        }

        if (buffer.Length < RaftMessageCodec.FrameHeaderBytes + length)
        {
            return false;
        }

        var payload = buffer.Slice(RaftMessageCodec.FrameHeaderBytes, length);
        Handle(type, payload, output);
        metrics?.FrameReceived(type, RaftMessageCodec.FrameHeaderBytes + (int)length);
        buffer = buffer.Slice(payload.End);
        return true;
    }

    private void Handle(RaftFrameType type, ReadOnlySequence<byte> payload, ICollection<GroupMessage> output)
    {
        byte[]? rented = null;
        try
        {
            switch (type)
            {
                case RaftFrameType.Batch:
                    RaftMessageCodec.ReadBatch(Contiguous(payload, ref rented), output);
                    break;
                case RaftFrameType.SnapshotStart:
                    if (_snapshot is not null)
                    {
                        throw new FormatException("A snapshot starts before the previous one ended.");
                    }

                    var (message, dataBytes, offset) = RaftMessageCodec.ReadSnapshotStart(Contiguous(payload, ref rented), _maxSnapshotBytes);
                    _snapshot = _inbox.Begin(message, dataBytes, offset);
                    break;
                case RaftFrameType.SnapshotChunk:
                    (_snapshot ?? throw new FormatException("A snapshot chunk arrives outside a snapshot.")).Append(payload);
                    break;
                default:
                    var snapshot = _snapshot ?? throw new FormatException("A snapshot end arrives outside a snapshot.");
                    _snapshot = null;
                    GroupMessage complete;
                    try
                    {
                        complete = snapshot.Complete(Contiguous(payload, ref rented));
                    }
                    catch
                    {
                        // Short or not what the sender hashed: nothing of it can be resumed.
                        _inbox.Finished(snapshot, discard: true);
                        throw;
                    }

                    _inbox.Finished(snapshot, discard: false);
                    output.Add(complete);
                    break;
            }
        }
        finally
        {
            if (rented is not null)
            {
                ArrayPool<byte>.Shared.Return(rented);
            }
        }
    }

    private static ReadOnlySpan<byte> Contiguous(ReadOnlySequence<byte> payload, ref byte[]? rented)
    {
        if (payload.IsSingleSegment)
        {
            return payload.FirstSpan;
        }

        rented = ArrayPool<byte>.Shared.Rent((int)payload.Length);
        payload.CopyTo(rented);
        return rented.AsSpan(0, (int)payload.Length);
    }
}
