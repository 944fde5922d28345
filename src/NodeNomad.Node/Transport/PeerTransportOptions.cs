namespace NodeNomad.Node.Transport;

/// <summary>How <see cref="PeerTransport"/> queues, batches, connects and reconnects.</summary>
public sealed class PeerTransportOptions
{
    /// <summary>Messages queued per peer before new ones are dropped (and reported unreachable).</summary>
    public int QueueCapacity { get; init; } = 8192;

    /// <summary>Bytes of messages gathered into one batch frame before it is written (a single larger message is sent alone).</summary>
    public int MaxBatchBytes { get; init; } = 1024 * 1024;

    /// <summary>Bytes of snapshot data per chunk frame; other groups' batches travel between the chunks.</summary>
    public int SnapshotChunkBytes { get; init; } = RaftMessageCodec.DefaultSnapshotChunkBytes;

    /// <summary>
    /// The most snapshot data this node sends per second, over all its peers (so that moving replicas leaves room for
    /// client traffic); 0 for no limit.
    /// </summary>
    public long SnapshotBytesPerSecond { get; init; }

    /// <summary>How long opening a TCP connection to a peer may take.</summary>
    public TimeSpan ConnectTimeout { get; init; } = TimeSpan.FromSeconds(2);

    /// <summary>How long a peer may take to accept a stream (connect included) before the attempt counts as failed.</summary>
    public TimeSpan AcceptTimeout { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>The wait before the first reconnection; it doubles with each failure in a row.</summary>
    public TimeSpan ReconnectDelay { get; init; } = TimeSpan.FromMilliseconds(100);

    /// <summary>The longest wait between reconnections.</summary>
    public TimeSpan MaxReconnectDelay { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>Idle time on a peer connection after which an HTTP/2 ping checks it is alive.</summary>
    public TimeSpan KeepAlivePingDelay { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>How long a keep-alive ping may go unanswered before the connection counts as dead.</summary>
    public TimeSpan KeepAlivePingTimeout { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>
    /// TLS towards peers, or null for HTTP/2 cleartext: with it, every peer is called over https (whatever scheme its
    /// address was given with) and its certificate checked as these options say.
    /// </summary>
    public System.Net.Security.SslClientAuthenticationOptions? Tls { get; init; }

    /// <summary>The test-only delay and loss switch to use instead of the one <c>NODENOMAD_TEST_FAULTS</c> names (tests of the switch).</summary>
    internal TransportFaults? TestFaults { get; init; }

    internal void Validate()
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(QueueCapacity, 1, nameof(QueueCapacity));
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxBatchBytes, 1, nameof(MaxBatchBytes));
        ArgumentOutOfRangeException.ThrowIfGreaterThan(MaxBatchBytes, RaftMessageCodec.MaxFramePayloadBytes, nameof(MaxBatchBytes));
        ArgumentOutOfRangeException.ThrowIfLessThan(SnapshotChunkBytes, 1, nameof(SnapshotChunkBytes));
        ArgumentOutOfRangeException.ThrowIfGreaterThan(SnapshotChunkBytes, RaftMessageCodec.MaxFramePayloadBytes, nameof(SnapshotChunkBytes));
        ArgumentOutOfRangeException.ThrowIfNegative(SnapshotBytesPerSecond, nameof(SnapshotBytesPerSecond));
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(ConnectTimeout, TimeSpan.Zero, nameof(ConnectTimeout));
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(AcceptTimeout, TimeSpan.Zero, nameof(AcceptTimeout));
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(ReconnectDelay, TimeSpan.Zero, nameof(ReconnectDelay));
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxReconnectDelay, ReconnectDelay, nameof(MaxReconnectDelay));
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(KeepAlivePingDelay, TimeSpan.Zero, nameof(KeepAlivePingDelay));
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(KeepAlivePingTimeout, TimeSpan.Zero, nameof(KeepAlivePingTimeout));
    }
}
