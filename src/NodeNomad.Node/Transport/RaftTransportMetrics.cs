using System.Diagnostics.Metrics;

namespace NodeNomad.Node.Transport;

/// <summary>
/// The peer transport's instruments, on one meter named <see cref="MeterName"/>: frames and bytes each way
/// (batching shows as messages per frame), messages dropped by reason, and streams opened (churn shows
/// reconnections).
/// </summary>
public sealed class RaftTransportMetrics
{
    /// <summary>The meter's name.</summary>
    public const string MeterName = "NodeNomad.Node.Transport";

    private readonly Counter<long> _framesSent;
    private readonly Counter<long> _framesReceived;
    private readonly Counter<long> _bytesSent;
    private readonly Counter<long> _bytesReceived;
    private readonly Counter<long> _messagesSent;
    private readonly Counter<long> _messagesReceived;
    private readonly Counter<long> _messagesDropped;
    private readonly Counter<long> _streamsOpened;
    private readonly Counter<long> _streamsAccepted;

    /// <summary>Creates the instruments on a meter from <paramref name="meterFactory"/>.</summary>
    public RaftTransportMetrics(IMeterFactory meterFactory)
    {
        ArgumentNullException.ThrowIfNull(meterFactory);
        var meter = meterFactory.Create(MeterName);
        _framesSent = meter.CreateCounter<long>("nodenomad.transport.frames.sent", "{frame}", "Frames written to peer streams, by frame type.");
        _framesReceived = meter.CreateCounter<long>("nodenomad.transport.frames.received", "{frame}", "Frames read from peer streams, by frame type.");
        _bytesSent = meter.CreateCounter<long>("nodenomad.transport.bytes.sent", "By", "Frame bytes written to peer streams.");
        _bytesReceived = meter.CreateCounter<long>("nodenomad.transport.bytes.received", "By", "Frame bytes read from peer streams.");
        _messagesSent = meter.CreateCounter<long>("nodenomad.transport.messages.sent", "{message}", "Raft messages written to peer streams.");
        _messagesReceived = meter.CreateCounter<long>("nodenomad.transport.messages.received", "{message}", "Raft messages read from peer streams and delivered.");
        _messagesDropped = meter.CreateCounter<long>("nodenomad.transport.messages.dropped", "{message}", "Raft messages dropped before reaching a peer, by reason.");
        _streamsOpened = meter.CreateCounter<long>("nodenomad.transport.streams.opened", "{stream}", "Streams this node opened to peers (one per peer, more after failures).");
        _streamsAccepted = meter.CreateCounter<long>("nodenomad.transport.streams.accepted", "{stream}", "Streams peers opened to this node and it accepted.");
    }

    internal void FrameSent(RaftFrameType type, int bytes, int messages)
    {
        _framesSent.Add(1, new KeyValuePair<string, object?>("frame.type", Name(type)));
        _bytesSent.Add(bytes);
        if (messages > 0)
        {
            _messagesSent.Add(messages);
        }
    }

    internal void FrameReceived(RaftFrameType type, int bytes)
    {
        _framesReceived.Add(1, new KeyValuePair<string, object?>("frame.type", Name(type)));
        _bytesReceived.Add(bytes);
    }

    internal void StreamOpened() => _streamsOpened.Add(1);

    internal void StreamAccepted() => _streamsAccepted.Add(1);

    internal void Delivered(int messages) => _messagesReceived.Add(messages);

    /// <summary>Counts messages dropped; <paramref name="reason"/> is one of the reasons of <see cref="DropReason"/>.</summary>
    internal void Dropped(int messages, string reason) =>
        _messagesDropped.Add(messages, new KeyValuePair<string, object?>("reason", reason));

    private static string Name(RaftFrameType type) => type switch
    {
        RaftFrameType.Batch => "batch",
        RaftFrameType.SnapshotStart => "snapshot_start",
        RaftFrameType.SnapshotChunk => "snapshot_chunk",
        _ => "snapshot_end",
    };

    /// <summary>Why a message was dropped.</summary>
    internal static class DropReason
    {
        public const string QueueFull = "queue_full";
        public const string UnknownPeer = "unknown_peer";
        public const string TooLarge = "too_large";
        public const string StreamFailed = "stream_failed";
        public const string TestFault = "test_fault";
    }
}
