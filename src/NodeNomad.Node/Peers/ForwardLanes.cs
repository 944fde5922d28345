using System.Buffers;
using System.Collections.Concurrent;
using System.Net.Http.Headers;

namespace NodeNomad.Node.Peers;

/// <summary>
/// Carries forwarded key requests to the nodes that serve them in batches, one lane per node and kind (reads apart from
/// writes, so a read never waits for a write's fsync). A request that finds the lane idle goes at once, alone; requests
/// that come while a lane's batches are under way wait for the next one, which takes every request waiting then — so
/// under load a batch holds as many requests as came in one round trip, and at rest nothing waits.
/// </summary>
public sealed partial class ForwardLanes(PeerHttp peers, ILogger<ForwardLanes> logger)
{
    /// <summary>How many batches one lane has under way at most.</summary>
    public const int MaxInFlight = 4;

    // A batch's answer comes once the slowest of its requests is served, each within the request timeout; this bounds
    // what a peer that stopped answering without closing its connection can hold.
    private static readonly TimeSpan BatchTimeout = TimeSpan.FromSeconds(60);

    private readonly ConcurrentDictionary<(Uri Peer, bool Reads), Lane> _lanes = new();
    private readonly PeerHttp _peers = peers;
    private readonly ILogger _logger = logger;

    /// <summary>
    /// Sends <paramref name="item"/> to the node at <paramref name="peerUri"/> with the next batch and gives its
    /// answer. An <see cref="HttpRequestException"/> says the batch failed, as a single forward would have.
    /// </summary>
    public Task<ForwardBatch.Answer> SendAsync(Uri peerUri, ForwardBatch.Item item, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(peerUri);
        ArgumentNullException.ThrowIfNull(item);
        var lane = _lanes.GetOrAdd((peerUri, HttpMethods.IsGet(item.Method)), key => new Lane(this, key.Peer));
        return lane.Enqueue(item).WaitAsync(cancellationToken);
    }

    [LoggerMessage(EventId = 310, Level = LogLevel.Warning, Message = "A batch of {Count} forwarded requests to {Peer} failed")]
    private static partial void LogBatchFailed(ILogger logger, Exception exception, int count, Uri peer);

    private sealed record Pending(ForwardBatch.Item Item, TaskCompletionSource<ForwardBatch.Answer> Done);

    private sealed class Lane(ForwardLanes lanes, Uri peer)
    {
        private readonly Lock _gate = new();
        private readonly Queue<Pending> _waiting = new();
        private readonly Uri _target = new(peer, ForwardBatch.Path);
        private int _inFlight;

        public Task<ForwardBatch.Answer> Enqueue(ForwardBatch.Item item)
        {
            var pending = new Pending(item, new TaskCompletionSource<ForwardBatch.Answer>(TaskCreationOptions.RunContinuationsAsynchronously));
            List<Pending>? batch = null;
            lock (_gate)
            {
                _waiting.Enqueue(pending);
                if (_inFlight < MaxInFlight)
                {
                    _inFlight++;
                    batch = TakeBatch();
                }
            }

            if (batch is not null)
            {
                _ = RunAsync(batch);
            }

            return pending.Done.Task;
        }

        // Sends batches until nothing waits, then gives its slot back.
        private async Task RunAsync(List<Pending> batch)
        {
            while (true)
            {
                await SendAsync(batch);
                lock (_gate)
                {
                    if (_waiting.Count == 0)
                    {
                        _inFlight--;
                        return;
                    }

                    batch = TakeBatch();
                }
            }
        }

        private List<Pending> TakeBatch()
        {
            var batch = new List<Pending>(Math.Min(_waiting.Count, ForwardBatch.MaxItems));
            var bytes = 0;
            while (batch.Count < ForwardBatch.MaxItems && _waiting.TryPeek(out var next)
                && (batch.Count == 0 || bytes + (next.Item.Body?.Length ?? 0) <= ForwardBatch.MaxBytes))
            {
                bytes += next.Item.Body?.Length ?? 0;
                batch.Add(_waiting.Dequeue());
            }

            return batch;
        }

        private async Task SendAsync(List<Pending> batch)
        {
            try
            {
                var body = new ArrayBufferWriter<byte>(256 * batch.Count);
                ForwardBatch.WriteItems(body, batch.ConvertAll(p => p.Item));
                using var request = new HttpRequestMessage(HttpMethod.Post, _target)
                {
                    Content = new ReadOnlyMemoryContent(body.WrittenMemory),
                };
                request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/octet-stream");
                using var timeout = new CancellationTokenSource(BatchTimeout);
                using var response = await lanes._peers.SendAsync(request, timeout.Token);
                var bytes = await response.Content.ReadAsByteArrayAsync(timeout.Token);
                if (!response.IsSuccessStatusCode)
                {
                    // The batch as a whole was refused (a wrong secret, say): every request gets that answer.
                    var refusal = new ForwardBatch.Answer((int)response.StatusCode, response.Content.Headers.ContentType?.ToString(), [], bytes);
                    batch.ForEach(p => p.Done.TrySetResult(refusal));
                    return;
                }

                var answers = ForwardBatch.ReadAnswers(bytes);
                if (answers.Count != batch.Count)
                {
                    throw new FormatException($"{answers.Count} answers came for {batch.Count} requests.");
                }

                for (var i = 0; i < batch.Count; i++)
                {
                    batch[i].Done.TrySetResult(answers[i]);
                }
            }
            catch (HttpRequestException e)
            {
                LogBatchFailed(lanes._logger, e, batch.Count, peer);
                batch.ForEach(p => p.Done.TrySetException(e));
            }
            catch (Exception e) when (e is IOException or OperationCanceledException or FormatException)
            {
                // The batch was sent, or may have been: what became of its requests is unknown.
                LogBatchFailed(lanes._logger, e, batch.Count, peer);
                var unknown = new HttpRequestException(HttpRequestError.ResponseEnded, $"the answer to a batch of forwarded requests was lost ({e.Message})", e);
                batch.ForEach(p => p.Done.TrySetException(unknown));
            }
        }
    }
}
