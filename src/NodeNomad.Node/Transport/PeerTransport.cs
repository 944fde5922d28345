using System.Net;
using NodeNomad.Node.Snapshots;
using NodeNomad.Raft;

namespace NodeNomad.Node.Transport;

/// <summary>
/// The sending side of the peer transport. <see cref="Send"/> queues a message for its recipient and returns at
/// once; one background pump per peer keeps one long-lived HTTP/2 request open to the peer's
/// <c>/raft/v1/stream</c> and writes whatever is queued as one batch frame at a time, flushing after each.
/// Snapshots are written in chunks between batches. Losses are reported through
/// <see cref="IPeerTransportFeedback"/> and never retried: Raft retransmits what matters.
/// </summary>
/// <remarks>
/// The format is our own binary frames over plain HTTP/2 rather than gRPC; see <see cref="RaftMessageCodec"/>
/// for why.
/// </remarks>
public sealed class PeerTransport : IAsyncDisposable
{
    private readonly Lock _gate = new();
    private readonly List<Task> _retiring = [];
    private volatile Dictionary<ulong, PeerLink> _links = [];
    private volatile bool _disposed;
    private readonly TransportFaults? _faults;

    /// <summary>Creates the transport and starts a pump for each peer; connections open when there is something to send.</summary>
    /// <param name="localId">This node's replica id, sent to peers for their logs; a peer with this id is skipped.</param>
    /// <param name="peers">Each peer's replica id and peer-port address, such as <c>http://10.0.0.2:4002</c>.</param>
    /// <param name="clusterSecret">The secret every peer request carries; printable ASCII without spaces.</param>
    /// <param name="logger">Where connection changes and drops are logged.</param>
    /// <param name="feedback">Where losses and snapshot outcomes are reported.</param>
    /// <param name="options">Queueing, batching and reconnection settings; the defaults otherwise.</param>
    /// <param name="metrics">Where frames, bytes and drops are counted, if anywhere.</param>
    /// <param name="transfers">Where snapshot sends are tracked; a new registry otherwise.</param>
    public PeerTransport(
        ulong localId,
        IReadOnlyDictionary<ulong, Uri> peers,
        string clusterSecret,
        ILogger<PeerTransport> logger,
        IPeerTransportFeedback feedback,
        PeerTransportOptions? options = null,
        RaftTransportMetrics? metrics = null,
        SnapshotTransfers? transfers = null)
    {
        ArgumentOutOfRangeException.ThrowIfZero(localId);
        ArgumentNullException.ThrowIfNull(logger);
        ArgumentNullException.ThrowIfNull(feedback);
        LocalId = localId;
        Secret = new ClusterSecret(clusterSecret);
        Logger = logger;
        Feedback = feedback;
        Options = options ?? new PeerTransportOptions();
        Options.Validate();
        _faults = Options.TestFaults ?? TransportFaults.FromEnvironment();
        Metrics = metrics;
        Transfers = transfers ?? new SnapshotTransfers();
        Bandwidth = new SnapshotBandwidth(Options.SnapshotBytesPerSecond);
        Http = new HttpClient(new SocketsHttpHandler
        {
            ConnectTimeout = Options.ConnectTimeout,
            EnableMultipleHttp2Connections = false,
            KeepAlivePingDelay = Options.KeepAlivePingDelay,
            KeepAlivePingTimeout = Options.KeepAlivePingTimeout,
            KeepAlivePingPolicy = HttpKeepAlivePingPolicy.WithActiveRequests,
            UseProxy = false,
            AllowAutoRedirect = false,
            UseCookies = false,
            SslOptions = Options.Tls ?? new(),
        })
        {
            DefaultRequestVersion = HttpVersion.Version20,
            DefaultVersionPolicy = HttpVersionPolicy.RequestVersionExact,

            // Covers connecting and the peer's answer to the request headers; the stream itself has no deadline.
            Timeout = Options.AcceptTimeout,
        };
        SetPeers(peers);
    }

    internal ulong LocalId { get; }

    internal ClusterSecret Secret { get; }

    internal ILogger Logger { get; }

    internal IPeerTransportFeedback Feedback { get; }

    internal PeerTransportOptions Options { get; }

    internal RaftTransportMetrics? Metrics { get; }

    internal HttpClient Http { get; }

    /// <summary>The limit on snapshot bytes sent per second, shared by every peer; it may be changed while running.</summary>
    public SnapshotBandwidth Bandwidth { get; }

    /// <summary>The newest snapshot send to each peer of each group, with its progress.</summary>
    public SnapshotTransfers Transfers { get; }

    /// <summary>
    /// Queues <paramref name="message"/> for the peer <see cref="Message.To"/> and returns without waiting for the
    /// network. A message to an unknown peer, or to a peer whose queue is full, is dropped and reported through
    /// <see cref="IPeerTransportFeedback.Unreachable"/> (and <see cref="IPeerTransportFeedback.SnapshotStatus"/> for
    /// a snapshot) before this returns. After <see cref="DisposeAsync"/> messages are dropped silently. The message is
    /// encoded later, on the peer's pump: neither it nor the bytes of its entries, context or snapshot may change
    /// after this call.
    /// </summary>
    /// <exception cref="ArgumentException">The message cannot be encoded: a Snapshot message without its snapshot, or the reverse, or an unknown type.</exception>
    public void Send(ulong groupId, Message message)
    {
        ArgumentNullException.ThrowIfNull(message);
        var item = new GroupMessage(groupId, message);
        RaftMessageCodec.EnsureValid(item);

        if (_disposed)
        {
            return;
        }

        if (!_links.TryGetValue(message.To, out var link))
        {
            PeerLink.LogUnknownPeer(Logger, message.To, groupId);
            ReportLost(item, RaftTransportMetrics.DropReason.UnknownPeer);
            return;
        }

        if (_faults?.Current is { } fault)
        {
            if (_faults.Drops(fault))
            {
                ReportLost(item, RaftTransportMetrics.DropReason.TestFault);
                return;
            }

            if (fault.Delay > TimeSpan.Zero)
            {
                _ = Task.Delay(fault.Delay).ContinueWith(_ => link.Enqueue(item), TaskScheduler.Default);
                return;
            }
        }

        link.Enqueue(item);
    }

    /// <summary>
    /// Replaces the peers' addresses. Pumps of peers no longer listed stop (what they had queued is dropped without
    /// reports); a peer whose address changed gets a new pump; the others keep their streams.
    /// </summary>
    public void SetPeers(IReadOnlyDictionary<ulong, Uri> peers)
    {
        ArgumentNullException.ThrowIfNull(peers);
        foreach (var (id, address) in peers)
        {
            ArgumentOutOfRangeException.ThrowIfZero(id, nameof(peers));
            ArgumentNullException.ThrowIfNull(address, nameof(peers));
            if (!address.IsAbsoluteUri || address.Scheme is not ("http" or "https"))
            {
                throw new ArgumentException($"Peer {id}'s address {address} is not an absolute http(s) URI.", nameof(peers));
            }
        }

        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            var current = _links;
            var next = new Dictionary<ulong, PeerLink>();
            foreach (var (id, given) in peers)
            {
                if (id == LocalId)
                {
                    continue;
                }

                var address = Options.Tls is null ? given : Peers.PeerHttp.OverTls(given);

                if (current.TryGetValue(id, out var link) && link.Address == address)
                {
                    next[id] = link;
                }
                else
                {
                    next[id] = PeerLink.Start(id, address, this);
                }
            }

            foreach (var (id, link) in current)
            {
                if (!next.TryGetValue(id, out var kept) || kept != link)
                {
                    _retiring.Add(link.DisposeAsync().AsTask());
                }
            }

            _retiring.RemoveAll(t => t.IsCompleted);
            _links = next;
        }
    }

    /// <summary>Stops every pump and closes the streams. Nothing is reported for what was still queued.</summary>
    public async ValueTask DisposeAsync()
    {
        List<Task> stopping;
        lock (_gate)
        {
            if (_disposed)
            {
                return;
            }

            _disposed = true;
            stopping = [.. _retiring, .. _links.Values.Select(link => link.DisposeAsync().AsTask())];
            _links = [];
        }

        await Task.WhenAll(stopping);
        Http.Dispose();
    }

    internal void ReportLost(GroupMessage item, string reason)
    {
        Metrics?.Dropped(1, reason);
        Feedback.Unreachable(item.GroupId, item.Message.To);
        if (item.Message.Snapshot is not null)
        {
            Feedback.SnapshotStatus(item.GroupId, item.Message.To, ok: false);
        }
    }
}
