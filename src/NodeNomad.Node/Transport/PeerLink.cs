using System.Buffers;
using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Threading.Channels;

namespace NodeNomad.Node.Transport;

/// <summary>
/// One peer's queue and the pump that drains it into one long-lived HTTP/2 request to the peer. The pump
/// connects when there is something to send; on failure it reports what was lost, drops the queue, and
/// reconnects after a capped exponential backoff, dropping (and reporting) whatever is sent meanwhile.
/// </summary>
internal sealed partial class PeerLink : IAsyncDisposable
{
    private readonly PeerTransport _transport;
    private readonly Channel<GroupMessage> _queue;
    private readonly CancellationTokenSource _stop = new();
    private readonly Uri _streamUri;

    // Owned by the pump: the batch being written, a message held over for the next batch, snapshots waiting
    // their turn and the one being written.
    private readonly List<GroupMessage> _batch = [];
    private readonly Queue<GroupMessage> _snapshots = new();
    private readonly ArrayBufferWriter<byte> _frame = new();
    private GroupMessage? _carried;
    private OutgoingSnapshot? _sending;
    private bool _reportedDown;

    private int _overflowing;
    private Task _pump = Task.CompletedTask;

    private PeerLink(ulong peerId, Uri address, PeerTransport transport)
    {
        PeerId = peerId;
        Address = address;
        _transport = transport;
        _streamUri = new Uri(address, RaftTransportEndpoints.StreamPath);
        _queue = Channel.CreateBounded<GroupMessage>(new BoundedChannelOptions(transport.Options.QueueCapacity)
        {
            FullMode = BoundedChannelFullMode.Wait,
            SingleReader = true,
        });
    }

    public ulong PeerId { get; }

    public Uri Address { get; }

    private ILogger Logger => _transport.Logger;

    public static PeerLink Start(ulong peerId, Uri address, PeerTransport transport)
    {
        var link = new PeerLink(peerId, address, transport);
        link._pump = Task.Run(link.RunAsync);
        return link;
    }

    /// <summary>Queues a message, or drops and reports it when the queue is full or the link has stopped.</summary>
    public void Enqueue(GroupMessage item)
    {
        if (_queue.Writer.TryWrite(item))
        {
            return;
        }

        if (Interlocked.Exchange(ref _overflowing, 1) == 0)
        {
            LogQueueFull(Logger, PeerId, _transport.Options.QueueCapacity);
        }

        _transport.ReportLost(item, RaftTransportMetrics.DropReason.QueueFull);
    }

    /// <summary>Stops the pump and closes its stream; what was queued is dropped without reports.</summary>
    public async ValueTask DisposeAsync()
    {
        _queue.Writer.TryComplete();
        await _stop.CancelAsync();
        await _pump;
        _stop.Dispose();
    }

    private async Task RunAsync()
    {
        var stopping = _stop.Token;
        var failures = 0;
        try
        {
            while (true)
            {
                if (failures > 0)
                {
                    await BackOffAsync(Delay(failures), stopping);
                }

                if (!await _queue.Reader.WaitToReadAsync(stopping))
                {
                    return;
                }

                failures = await RunStreamAsync(stopping) ? 1 : failures + 1;
            }
        }
        catch (OperationCanceledException) when (stopping.IsCancellationRequested)
        {
            // Stopped by the transport: nothing is reported for what was queued.
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            // A bug (in this pump or in a feedback callback). The queue now fills and what is sent after that is
            // reported unreachable, so Raft still hears of the loss; the log says why.
            LogPumpFailed(Logger, e, PeerId, Address);
        }
    }

    /// <summary>One stream to the peer, from connecting until it fails. Returns whether the peer accepted it.</summary>
    private async Task<bool> RunStreamAsync(CancellationToken stopping)
    {
        var accepted = false;
        using var stream = CancellationTokenSource.CreateLinkedTokenSource(stopping);
        using var content = new PeerStreamContent();
        using var request = new HttpRequestMessage(HttpMethod.Post, _streamUri)
        {
            Version = HttpVersion.Version20,
            VersionPolicy = HttpVersionPolicy.RequestVersionExact,
            Content = content,
        };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", _transport.Secret.Value);
        request.Headers.Add(RaftTransportEndpoints.ReplicaHeader, _transport.LocalId.ToString(CultureInfo.InvariantCulture));
        content.Headers.ContentType = new MediaTypeHeaderValue("application/octet-stream");
        HttpResponseMessage? response = null;
        Task watcher = Task.CompletedTask;
        try
        {
            response = await _transport.Http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, stream.Token);
            if (response.StatusCode != HttpStatusCode.OK)
            {
                LogRefused(Logger, PeerId, Address, (int)response.StatusCode,
                    response.StatusCode == HttpStatusCode.Unauthorized ? "the peer does not share our cluster secret" : "the peer does not serve the Raft stream");
                _reportedDown = true;
                DropAll();
                return false;
            }

            var body = await content.WaitForStreamAsync(stream.Token);
            accepted = true;
            _reportedDown = false;
            _transport.Metrics?.StreamOpened();
            LogConnected(Logger, PeerId, Address);
            watcher = CancelWhenResponseEndsAsync(response, stream);
            await PumpAsync(body, stream.Token);
            return true;
        }
        catch (Exception e) when (e is HttpRequestException or IOException or OperationCanceledException or ObjectDisposedException)
        {
            if (stopping.IsCancellationRequested)
            {
                // Stopped by the transport: the request was torn down under the pump.
                return accepted;
            }

            var reason = e is OperationCanceledException
                ? accepted ? "the peer ended the stream" : "the peer did not answer in time"
                : e.Message;
            if (!_reportedDown)
            {
                LogLost(Logger, PeerId, Address, reason);
                _reportedDown = true;
            }
            else
            {
                LogStillDown(Logger, PeerId, Address, reason);
            }

            DropAll();
            return accepted;
        }
        finally
        {
            await stream.CancelAsync();
            await watcher;
            content.Finish();
            response?.Dispose();
        }
    }

    /// <summary>
    /// Writes frames until the link stops or the stream fails: whatever is queued as one batch, then the next
    /// chunk of the snapshot being sent, then a flush; or, with nothing to write, waits for the queue.
    /// </summary>
    private async Task PumpAsync(Stream body, CancellationToken cancellationToken)
    {
        var reader = _queue.Reader;
        while (true)
        {
            var wrote = false;
            if (TakeBatch())
            {
                _frame.ResetWrittenCount();
                RaftMessageCodec.WriteBatchFrame(_batch, _frame);
                await body.WriteAsync(_frame.WrittenMemory, cancellationToken);
                _transport.Metrics?.FrameSent(RaftFrameType.Batch, _frame.WrittenCount, _batch.Count);
                wrote = true;
            }

            if (_sending is null && _snapshots.TryDequeue(out var next))
            {
                _sending = await OpenSnapshotAsync(next, cancellationToken);
            }

            var snapshotWritten = false;
            TimeSpan? throttled = null;
            if (_sending is { } sending)
            {
                var chunk = sending.NextChunkBytes;
                if (chunk == 0 || _transport.Bandwidth.TryTake(chunk, out var wait))
                {
                    ReadOnlyMemory<byte>? frame;
                    try
                    {
                        frame = sending.Next();
                    }
                    catch (IOException e)
                    {
                        // The snapshot's file went (a newer snapshot replaced it) or cannot be read: this snapshot
                        // fails, the stream goes on, and Raft sends its newest one.
                        LogSnapshotUnreadable(Logger, sending.Message.GroupId, PeerId, e.Message);
                        EndSnapshot(ok: false);
                        continue;
                    }

                    if (frame is { } bytes)
                    {
                        await body.WriteAsync(bytes, cancellationToken);
                        var type = (RaftFrameType)bytes.Span[4];
                        _transport.Metrics?.FrameSent(type, bytes.Length, type == RaftFrameType.SnapshotEnd ? 1 : 0);
                        _transport.Transfers.Progress(PeerId, sending);
                        snapshotWritten = sending.Done;
                        wrote = true;
                    }
                }
                else
                {
                    throttled = wait;
                }
            }

            if (!wrote)
            {
                if (throttled is { } delay)
                {
                    await WaitForQueueAsync(reader, delay, cancellationToken);
                    continue;
                }

                if (!await reader.WaitToReadAsync(cancellationToken))
                {
                    return;
                }

                continue;
            }

            await body.FlushAsync(cancellationToken);
            _batch.Clear();
            Volatile.Write(ref _overflowing, 0);
            if (snapshotWritten && _sending is { } done)
            {
                LogSnapshotSent(Logger, done.Message.GroupId, PeerId, done.Total, done.ResumedFrom);
                EndSnapshot(ok: true);
            }
        }
    }

    /// <summary>
    /// Opens a snapshot to send: asks the peer how much of it arrived before an earlier stream broke, and starts there.
    /// Returns null (the snapshot reported failed) when its data can no longer be read.
    /// </summary>
    private async Task<OutgoingSnapshot?> OpenSnapshotAsync(GroupMessage message, CancellationToken cancellationToken)
    {
        var resumeAt = await HeldByPeerAsync(message, cancellationToken);
        try
        {
            var outgoing = OutgoingSnapshot.Open(message, resumeAt, _transport.Options.SnapshotChunkBytes);
            _transport.Transfers.Started(PeerId, outgoing);
            return outgoing;
        }
        catch (IOException e)
        {
            LogSnapshotUnreadable(Logger, message.GroupId, PeerId, e.Message);
            _transport.Feedback.SnapshotStatus(message.GroupId, PeerId, ok: false);
            return null;
        }
    }

    /// <summary>How many bytes of the snapshot the peer holds from an interrupted send; 0 when it holds none or cannot say.</summary>
    private async Task<long> HeldByPeerAsync(GroupMessage message, CancellationToken cancellationToken)
    {
        var metadata = message.Message.Snapshot!.Metadata;
        var uri = new Uri(Address, string.Create(CultureInfo.InvariantCulture,
            $"{RaftTransportEndpoints.SnapshotsPath}/{message.GroupId}?from={message.Message.From}&index={metadata.Index}&term={metadata.Term}"));
        try
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, uri)
            {
                Version = HttpVersion.Version20,
                VersionPolicy = HttpVersionPolicy.RequestVersionExact,
            };
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", _transport.Secret.Value);
            using var response = await _transport.Http.SendAsync(request, cancellationToken);
            if (!response.IsSuccessStatusCode)
            {
                var answer = await response.Content.ReadAsStringAsync(cancellationToken);
                LogResumeRefused(Logger, message.GroupId, PeerId, (int)response.StatusCode, answer);
                return 0;
            }

            var text = await response.Content.ReadAsStringAsync(cancellationToken);
            return long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var held) && held <= message.Message.Snapshot.Data.Length ? held : 0;
        }
        catch (Exception e) when ((e is HttpRequestException or IOException or TaskCanceledException) && !cancellationToken.IsCancellationRequested)
        {
            // Cannot tell: send it all. If the stream is down too, the send fails and Raft asks again.
            LogResumeUnknown(Logger, message.GroupId, PeerId, e.Message);
            return 0;
        }
    }

    /// <summary>The snapshot being sent ended (sent whole, or failed without breaking the stream).</summary>
    private void EndSnapshot(bool ok)
    {
        var sending = _sending!;
        _sending = null;
        sending.Dispose();
        _transport.Transfers.Ended(PeerId, sending, ok);
        _transport.Feedback.SnapshotStatus(sending.Message.GroupId, PeerId, ok);
    }

    /// <summary>Waits until something is queued or <paramref name="delay"/> passes (a throttled snapshot may go on then).</summary>
    private static async Task WaitForQueueAsync(ChannelReader<GroupMessage> reader, TimeSpan delay, CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(delay);
        try
        {
            _ = await reader.WaitToReadAsync(timeout.Token);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            // The delay passed.
        }
    }

    /// <summary>Moves queued messages into <see cref="_batch"/> up to the batch size, and snapshots aside.</summary>
    private bool TakeBatch()
    {
        var maxBytes = _transport.Options.MaxBatchBytes;
        long bytes = 0;
        if (_carried is { } carried)
        {
            _carried = null;
            _batch.Add(carried);
            bytes = RaftMessageCodec.MeasureInBatch(carried);
        }

        while (bytes < maxBytes && _queue.Reader.TryRead(out var item))
        {
            if (item.Message.Snapshot is not null)
            {
                _snapshots.Enqueue(item);
                continue;
            }

            var size = RaftMessageCodec.MeasureInBatch(item);
            if (size > RaftMessageCodec.MaxFramePayloadBytes)
            {
                LogTooLarge(Logger, PeerId, item.GroupId, item.Message.Type.ToString(), size);
                _transport.ReportLost(item, RaftTransportMetrics.DropReason.TooLarge);
                continue;
            }

            if (_batch.Count > 0 && bytes + size > maxBytes)
            {
                _carried = item;
                break;
            }

            _batch.Add(item);
            bytes += size;
        }

        return _batch.Count > 0;
    }

    /// <summary>Waits out a backoff; what is sent meanwhile is dropped at once, so Raft hears about it promptly.</summary>
    private async Task BackOffAsync(TimeSpan delay, CancellationToken stopping)
    {
        using var backoff = CancellationTokenSource.CreateLinkedTokenSource(stopping);
        backoff.CancelAfter(delay);
        try
        {
            while (await _queue.Reader.WaitToReadAsync(backoff.Token))
            {
                DropAll();
            }
        }
        catch (OperationCanceledException) when (!stopping.IsCancellationRequested)
        {
            // The backoff is over.
        }
    }

    /// <summary>Drops everything in flight and queued, reporting each group once and each snapshot.</summary>
    private void DropAll()
    {
        var groups = new HashSet<ulong>();
        var dropped = 0;
        void Drop(GroupMessage item)
        {
            dropped++;
            groups.Add(item.GroupId);
            if (item.Message.Snapshot is not null)
            {
                _transport.Feedback.SnapshotStatus(item.GroupId, PeerId, ok: false);
            }
        }

        _batch.ForEach(Drop);
        _batch.Clear();
        if (_carried is { } carried)
        {
            Drop(carried);
            _carried = null;
        }

        if (_sending is { } sending)
        {
            // What the peer got of it waits there; the next send of this snapshot resumes from it.
            sending.Dispose();
            _transport.Transfers.Ended(PeerId, sending, ok: false);
            Drop(sending.Message);
            _sending = null;
        }

        while (_snapshots.TryDequeue(out var snapshot))
        {
            Drop(snapshot);
        }

        while (_queue.Reader.TryRead(out var item))
        {
            Drop(item);
        }

        if (dropped == 0)
        {
            return;
        }

        _transport.Metrics?.Dropped(dropped, RaftTransportMetrics.DropReason.StreamFailed);
        foreach (var group in groups)
        {
            _transport.Feedback.Unreachable(group, PeerId);
        }
    }

    private TimeSpan Delay(int failures)
    {
        var options = _transport.Options;
        var exponential = options.ReconnectDelay.TotalMilliseconds * Math.Pow(2, Math.Min(failures - 1, 30));
        var capped = Math.Min(exponential, options.MaxReconnectDelay.TotalMilliseconds);

        // Jitter keeps the nodes of a cluster that lost a peer together from reconnecting in lockstep.
        return TimeSpan.FromMilliseconds(capped * (0.8 + (0.4 * Random.Shared.NextDouble())));
    }

    /// <summary>Cancels the stream when the peer ends its response: the peer stopped, or refused a frame.</summary>
    private static async Task CancelWhenResponseEndsAsync(HttpResponseMessage response, CancellationTokenSource stream)
    {
        try
        {
            await using var body = await response.Content.ReadAsStreamAsync(stream.Token);
            var buffer = new byte[64];
            while (await body.ReadAsync(buffer, stream.Token) > 0)
            {
            }
        }
        catch (Exception e) when (e is IOException or HttpRequestException or OperationCanceledException or ObjectDisposedException)
        {
            // Ended either way.
        }

        await stream.CancelAsync();
    }

    [LoggerMessage(EventId = 400, Level = LogLevel.Information, Message = "Raft stream to peer {PeerId} at {Address} open")]
    private static partial void LogConnected(ILogger logger, ulong peerId, Uri address);

    [LoggerMessage(EventId = 401, Level = LogLevel.Warning, Message = "Peer {PeerId} at {Address} is unreachable ({Reason}); its messages are dropped and reported until a stream opens again")]
    private static partial void LogLost(ILogger logger, ulong peerId, Uri address, string reason);

    [LoggerMessage(EventId = 402, Level = LogLevel.Debug, Message = "Peer {PeerId} at {Address} is still unreachable ({Reason})")]
    private static partial void LogStillDown(ILogger logger, ulong peerId, Uri address, string reason);

    [LoggerMessage(EventId = 403, Level = LogLevel.Warning, Message = "Peer {PeerId} at {Address} refused the Raft stream with status {Status}: {Reason}")]
    private static partial void LogRefused(ILogger logger, ulong peerId, Uri address, int status, string reason);

    [LoggerMessage(EventId = 404, Level = LogLevel.Warning, Message = "The queue to peer {PeerId} is full ({Capacity} messages); messages to it are dropped until it drains")]
    private static partial void LogQueueFull(ILogger logger, ulong peerId, int capacity);

    [LoggerMessage(EventId = 405, Level = LogLevel.Error, Message = "Dropped a {Type} message of group {GroupId} to peer {PeerId}: its {Bytes} bytes exceed a frame")]
    private static partial void LogTooLarge(ILogger logger, ulong peerId, ulong groupId, string type, long bytes);

    [LoggerMessage(EventId = 406, Level = LogLevel.Information, Message = "Sent a snapshot of group {GroupId} to peer {PeerId} ({Bytes} bytes, resumed from byte {ResumedFrom})")]
    private static partial void LogSnapshotSent(ILogger logger, ulong groupId, ulong peerId, long bytes, long resumedFrom);

    [LoggerMessage(EventId = 410, Level = LogLevel.Information, Message = "Could not ask peer {PeerId} how much of group {GroupId}'s snapshot it holds ({Reason}); sending it from the start")]
    private static partial void LogResumeUnknown(ILogger logger, ulong groupId, ulong peerId, string reason);

    [LoggerMessage(EventId = 411, Level = LogLevel.Information, Message = "Peer {PeerId} answered {Status} ({Answer}) when asked how much of group {GroupId}'s snapshot it holds; sending it from the start")]
    private static partial void LogResumeRefused(ILogger logger, ulong groupId, ulong peerId, int status, string answer);

    [LoggerMessage(EventId = 409, Level = LogLevel.Warning, Message = "A snapshot of group {GroupId} for peer {PeerId} cannot be read ({Reason}); Raft sends a newer one")]
    private static partial void LogSnapshotUnreadable(ILogger logger, ulong groupId, ulong peerId, string reason);

    [LoggerMessage(EventId = 408, Level = LogLevel.Critical, Message = "The Raft pump to peer {PeerId} at {Address} failed; messages to it are no longer sent")]
    private static partial void LogPumpFailed(ILogger logger, Exception exception, ulong peerId, Uri address);

    [LoggerMessage(EventId = 407, Level = LogLevel.Debug, Message = "Dropped a message of group {GroupId} to replica {PeerId}: no address is known for it")]
    internal static partial void LogUnknownPeer(ILogger logger, ulong peerId, ulong groupId);
}
