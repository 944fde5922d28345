using System.Buffers;
using System.Buffers.Binary;
using System.Security.Cryptography;
using NodeNomad.Raft;

namespace NodeNomad.Node.Transport;

/// <summary>
/// The binary format of the peer transport: how <see cref="GroupMessage"/>s become frames on a peer stream.
/// </summary>
/// <remarks>
/// <para>
/// Why not gRPC: the transport is plain HTTP/2 streaming with frames of our own. That needs no protobuf
/// toolchain or generated code, and leaves batching (many groups' messages in one frame, flushed once) and
/// snapshot chunking (interleaved with other groups' messages, checked end to end) entirely in our hands.
/// </para>
/// <para>
/// A frame is <c>[u32 payload length, big-endian][u8 <see cref="RaftFrameType"/>][payload]</c>, its payload
/// at most <see cref="MaxFramePayloadBytes"/>. Inside payloads, numbers are unsigned LEB128 varints and byte
/// strings are a varint length followed by the bytes. A message is: type (u8), flags (u8, bit 0 = Reject,
/// bit 1 = a Timestamp follows), From, To, Term, LogTerm, Index, Commit, RejectHint, Timestamp (only with bit 1:
/// the 64 bits of the signed time as a varint), Context (bytes), the entry count and the entries, each Index, Term,
/// type (u8) and Data (bytes). Only read answers carry a Timestamp, so other messages are as they were before it
/// existed, and frames from a sender that predates it still decode.
/// </para>
/// <para>
/// A <see cref="RaftFrameType.Batch"/> payload is (group, message) pairs until the payload ends. Snapshots are
/// never inlined: a <see cref="MessageType.Snapshot"/> message travels as a
/// <see cref="RaftFrameType.SnapshotStart"/> frame (group, message, snapshot index, term, voters, learners,
/// outgoing voters, data length), <see cref="RaftFrameType.SnapshotChunk"/> frames of raw data, and a
/// <see cref="RaftFrameType.SnapshotEnd"/> frame holding the data's SHA-256. <see cref="RaftStreamReader"/>
/// decodes all of it.
/// </para>
/// </remarks>
public static class RaftMessageCodec
{
    /// <summary>Bytes before a frame's payload: its length and its type.</summary>
    public const int FrameHeaderBytes = 5;

    /// <summary>The largest payload a frame may have; a reader refuses larger ones before buffering them.</summary>
    public const int MaxFramePayloadBytes = 16 * 1024 * 1024;

    /// <summary>The snapshot chunk size unless told otherwise.</summary>
    public const int DefaultSnapshotChunkBytes = 256 * 1024;

    /// <summary>Bytes of the digest a <see cref="RaftFrameType.SnapshotEnd"/> frame holds.</summary>
    internal const int SnapshotDigestBytes = SHA256.HashSizeInBytes;

    private const byte RejectFlag = 1;
    private const byte TimestampFlag = 2;
    private const MessageType LastMessageType = MessageType.CheckQuorum;
    private const EntryType LastEntryType = EntryType.ConfChange;

    /// <summary>Bytes <paramref name="message"/> adds to a batch frame's payload.</summary>
    /// <exception cref="ArgumentException">The message is a snapshot, which travels in snapshot frames, or is malformed.</exception>
    public static long MeasureInBatch(GroupMessage message)
    {
        EnsureBatchable(message);
        return WireWriter.VarintLength(message.GroupId) + MeasureMessage(message.Message);
    }

    /// <summary>Writes one <see cref="RaftFrameType.Batch"/> frame, header included, holding <paramref name="messages"/> in order.</summary>
    /// <exception cref="ArgumentException">
    /// The batch is empty, holds a snapshot message, or is larger than <see cref="MaxFramePayloadBytes"/>.
    /// </exception>
    public static void WriteBatchFrame(IReadOnlyList<GroupMessage> messages, IBufferWriter<byte> output)
    {
        ArgumentNullException.ThrowIfNull(messages);
        ArgumentNullException.ThrowIfNull(output);
        if (messages.Count == 0)
        {
            throw new ArgumentException("A batch holds at least one message.", nameof(messages));
        }

        long length = 0;
        for (int i = 0; i < messages.Count; i++)
        {
            length += MeasureInBatch(messages[i]);
        }

        var payloadLength = CheckedPayloadLength(length, nameof(messages));
        var span = output.GetSpan(FrameHeaderBytes + payloadLength);
        WriteHeader(span, RaftFrameType.Batch, payloadLength);
        var writer = new WireWriter(span.Slice(FrameHeaderBytes, payloadLength));
        for (int i = 0; i < messages.Count; i++)
        {
            writer.Varint(messages[i].GroupId);
            WriteMessage(ref writer, messages[i].Message);
        }

        output.Advance(FrameHeaderBytes + payloadLength);
    }

    /// <summary>
    /// The frames that carry a snapshot message, in the order they must be sent: start, the data in chunks of
    /// <paramref name="chunkBytes"/>, end. Each frame is produced (read from the snapshot's data) as it is enumerated,
    /// into a fresh array.
    /// </summary>
    /// <exception cref="ArgumentException">The message is not a <see cref="MessageType.Snapshot"/> carrying a snapshot.</exception>
    public static IEnumerable<ReadOnlyMemory<byte>> SnapshotFrames(GroupMessage message, int chunkBytes = DefaultSnapshotChunkBytes)
    {
        ValidateSnapshot(message, chunkBytes);
        return Frames(message, chunkBytes);

        static IEnumerable<ReadOnlyMemory<byte>> Frames(GroupMessage message, int chunkBytes)
        {
            using var outgoing = OutgoingSnapshot.Open(message, resumeAt: 0, chunkBytes);
            while (outgoing.Next() is { } frame)
            {
                yield return frame.ToArray();
            }
        }
    }

    /// <summary>Checks that <paramref name="message"/> may travel in snapshot frames of <paramref name="chunkBytes"/>.</summary>
    internal static void ValidateSnapshot(GroupMessage message, int chunkBytes)
    {
        EnsureValid(message);
        if (message.Message.Snapshot is null)
        {
            throw new ArgumentException("Only a Snapshot message carrying a snapshot travels in snapshot frames.", nameof(message));
        }

        ArgumentOutOfRangeException.ThrowIfLessThan(chunkBytes, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(chunkBytes, MaxFramePayloadBytes);
    }

    /// <summary>Reads a <see cref="RaftFrameType.Batch"/> payload into <paramref name="output"/>.</summary>
    internal static void ReadBatch(ReadOnlySpan<byte> payload, ICollection<GroupMessage> output)
    {
        var reader = new WireReader(payload);
        if (reader.End)
        {
            throw new FormatException("A batch frame is empty.");
        }

        while (!reader.End)
        {
            var group = reader.Varint("a group id");
            var message = ReadMessage(ref reader);
            if (message.Type == MessageType.Snapshot)
            {
                throw new FormatException("A batch frame holds a Snapshot message; snapshots travel in snapshot frames.");
            }

            output.Add(new GroupMessage(group, message));
        }
    }

    /// <summary>
    /// Reads a <see cref="RaftFrameType.SnapshotStart"/> payload: the message, its snapshot with empty data,
    /// the data's announced length (at most <paramref name="maxDataBytes"/>), and the offset the chunks that follow
    /// start at (0, or where an interrupted send of the same snapshot stopped).
    /// </summary>
    internal static (GroupMessage Message, long DataBytes, long Offset) ReadSnapshotStart(ReadOnlySpan<byte> payload, long maxDataBytes)
    {
        var reader = new WireReader(payload);
        var group = reader.Varint("a group id");
        var message = ReadMessage(ref reader);
        if (message.Type != MessageType.Snapshot)
        {
            throw new FormatException($"A snapshot start frame holds a {message.Type} message.");
        }

        var index = reader.Varint("the snapshot index");
        var term = reader.Varint("the snapshot term");
        var voters = ReadIds(ref reader, "the voter count");
        var learners = ReadIds(ref reader, "the learner count");
        var outgoing = ReadIds(ref reader, "the outgoing voter count");
        var dataBytes = reader.Varint("the snapshot length");
        if (dataBytes > (ulong)maxDataBytes)
        {
            throw new FormatException($"The snapshot's length ({dataBytes} bytes) exceeds the {maxDataBytes} bytes a snapshot may have.");
        }

        var offset = reader.Varint("the offset the chunks start at");
        if (offset > dataBytes)
        {
            throw new FormatException($"A snapshot of {dataBytes} bytes resumes at byte {offset}.");
        }

        reader.ExpectEnd("the snapshot start");
        var snapshot = new Snapshot(new SnapshotMetadata(index, term, new ConfState(voters, learners, outgoing)), SnapshotData.Empty);
        return (new GroupMessage(group, message with { Snapshot = snapshot }), (long)dataBytes, (long)offset);
    }

    /// <summary>The start frame of <paramref name="message"/>'s snapshot, whose chunks follow from <paramref name="offset"/>.</summary>
    internal static byte[] SnapshotStartFrame(GroupMessage message, long offset)
    {
        var snapshot = message.Message.Snapshot!;
        var metadata = snapshot.Metadata;
        var conf = metadata.ConfState;
        long length = WireWriter.VarintLength(message.GroupId) + MeasureMessage(message.Message)
            + WireWriter.VarintLength(metadata.Index) + WireWriter.VarintLength(metadata.Term)
            + MeasureIds(conf.Voters) + MeasureIds(conf.Learners) + MeasureIds(conf.VotersOutgoing)
            + WireWriter.VarintLength((ulong)snapshot.Data.Length) + WireWriter.VarintLength((ulong)offset);
        var payloadLength = CheckedPayloadLength(length, nameof(message));
        var frame = new byte[FrameHeaderBytes + payloadLength];
        WriteHeader(frame, RaftFrameType.SnapshotStart, payloadLength);
        var writer = new WireWriter(frame.AsSpan(FrameHeaderBytes));
        writer.Varint(message.GroupId);
        WriteMessage(ref writer, message.Message);
        writer.Varint(metadata.Index);
        writer.Varint(metadata.Term);
        WriteIds(ref writer, conf.Voters);
        WriteIds(ref writer, conf.Learners);
        WriteIds(ref writer, conf.VotersOutgoing);
        writer.Varint((ulong)snapshot.Data.Length);
        writer.Varint((ulong)offset);
        return frame;
    }

    private static void WriteHeader(Span<byte> destination, RaftFrameType type, int payloadLength)
    {
        BinaryPrimitives.WriteUInt32BigEndian(destination, (uint)payloadLength);
        destination[4] = (byte)type;
    }

    private static int CheckedPayloadLength(long length, string parameter) =>
        length <= MaxFramePayloadBytes
            ? (int)length
            : throw new ArgumentException($"The frame would hold {length} bytes, more than the {MaxFramePayloadBytes} a frame may have.", parameter);

    private static void EnsureBatchable(GroupMessage message)
    {
        EnsureValid(message);
        if (message.Message.Snapshot is not null)
        {
            throw new ArgumentException("A snapshot message travels in snapshot frames, never in a batch.", nameof(message));
        }
    }

    /// <summary>Throws <see cref="ArgumentException"/> unless <paramref name="message"/> can be encoded (in a batch or in snapshot frames).</summary>
    internal static void EnsureValid(GroupMessage message)
    {
        var m = message.Message ?? throw new ArgumentException("The message is missing.", nameof(message));
        if (m.Type > LastMessageType)
        {
            throw new ArgumentException($"Message type {(byte)m.Type} is not a known type.", nameof(message));
        }

        if ((m.Type == MessageType.Snapshot) != (m.Snapshot is not null))
        {
            throw new ArgumentException(
                m.Snapshot is null ? "A Snapshot message must carry its snapshot." : $"A {m.Type} message carries a snapshot; only Snapshot messages do.",
                nameof(message));
        }

        ArgumentNullException.ThrowIfNull(m.Entries, nameof(message));
        for (int i = 0; i < m.Entries.Count; i++)
        {
            if (m.Entries[i].Type > LastEntryType)
            {
                throw new ArgumentException($"Entry type {(byte)m.Entries[i].Type} is not a known type.", nameof(message));
            }
        }
    }

    private static long MeasureMessage(Message m)
    {
        long length = 2
            + WireWriter.VarintLength(m.From) + WireWriter.VarintLength(m.To) + WireWriter.VarintLength(m.Term)
            + WireWriter.VarintLength(m.LogTerm) + WireWriter.VarintLength(m.Index) + WireWriter.VarintLength(m.Commit)
            + WireWriter.VarintLength(m.RejectHint)
            + (m.Timestamp == 0 ? 0 : WireWriter.VarintLength((ulong)m.Timestamp))
            + WireWriter.BytesLength(m.Context.Length)
            + WireWriter.VarintLength((ulong)m.Entries.Count);
        for (int i = 0; i < m.Entries.Count; i++)
        {
            var entry = m.Entries[i];
            length += WireWriter.VarintLength(entry.Index) + WireWriter.VarintLength(entry.Term) + 1 + WireWriter.BytesLength(entry.Data.Length);
        }

        return length;
    }

    private static void WriteMessage(ref WireWriter writer, Message m)
    {
        writer.Byte((byte)m.Type);
        writer.Byte((byte)((m.Reject ? RejectFlag : 0) | (m.Timestamp == 0 ? 0 : TimestampFlag)));
        writer.Varint(m.From);
        writer.Varint(m.To);
        writer.Varint(m.Term);
        writer.Varint(m.LogTerm);
        writer.Varint(m.Index);
        writer.Varint(m.Commit);
        writer.Varint(m.RejectHint);
        if (m.Timestamp != 0)
        {
            writer.Varint((ulong)m.Timestamp);
        }

        writer.Bytes(m.Context.Span);
        writer.Varint((ulong)m.Entries.Count);
        for (int i = 0; i < m.Entries.Count; i++)
        {
            var entry = m.Entries[i];
            writer.Varint(entry.Index);
            writer.Varint(entry.Term);
            writer.Byte((byte)entry.Type);
            writer.Bytes(entry.Data.Span);
        }
    }

    private static Message ReadMessage(ref WireReader reader)
    {
        var type = reader.Byte("a message type");
        if (type > (byte)LastMessageType)
        {
            throw new FormatException($"Message type {type} is not a known type.");
        }

        var flags = reader.Byte("the message flags");
        if ((flags & ~(RejectFlag | TimestampFlag)) != 0)
        {
            throw new FormatException($"Message flags 0x{flags:x2} hold unknown bits.");
        }

        var from = reader.Varint("the sender");
        var to = reader.Varint("the recipient");
        var term = reader.Varint("the term");
        var logTerm = reader.Varint("the log term");
        var index = reader.Varint("the index");
        var commit = reader.Varint("the commit index");
        var rejectHint = reader.Varint("the reject hint");
        var timestamp = (flags & TimestampFlag) != 0 ? (long)reader.Varint("the timestamp") : 0;
        var context = reader.Bytes("the context");

        // An entry takes at least four bytes: index, term, type and data length.
        var count = reader.Count("the entry count", 4);
        Entry[] entries = count == 0 ? [] : new Entry[count];
        for (int i = 0; i < count; i++)
        {
            var entryIndex = reader.Varint("an entry's index");
            var entryTerm = reader.Varint("an entry's term");
            var entryType = reader.Byte("an entry's type");
            if (entryType > (byte)LastEntryType)
            {
                throw new FormatException($"Entry type {entryType} is not a known type.");
            }

            entries[i] = new Entry(entryIndex, entryTerm, (EntryType)entryType, reader.Bytes("an entry's data"));
        }

        return new Message
        {
            Type = (MessageType)type,
            Reject = (flags & RejectFlag) != 0,
            From = from,
            To = to,
            Term = term,
            LogTerm = logTerm,
            Index = index,
            Commit = commit,
            RejectHint = rejectHint,
            Timestamp = timestamp,
            Context = context,
            Entries = entries,
        };
    }

    private static long MeasureIds(IReadOnlyList<ulong> ids)
    {
        long length = WireWriter.VarintLength((ulong)ids.Count);
        for (int i = 0; i < ids.Count; i++)
        {
            length += WireWriter.VarintLength(ids[i]);
        }

        return length;
    }

    private static void WriteIds(ref WireWriter writer, IReadOnlyList<ulong> ids)
    {
        writer.Varint((ulong)ids.Count);
        for (int i = 0; i < ids.Count; i++)
        {
            writer.Varint(ids[i]);
        }
    }

    private static ulong[] ReadIds(ref WireReader reader, string what)
    {
        var count = reader.Count(what, 1);
        var ids = new ulong[count];
        for (int i = 0; i < count; i++)
        {
            ids[i] = reader.Varint("a replica id");
        }

        return ids;
    }
}
