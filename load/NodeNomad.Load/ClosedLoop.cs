using System.Diagnostics;
using HdrHistogram;

namespace NodeNomad.Load;

/// <summary>Makes the request a client sends next.</summary>
/// <param name="client">The client, from 0.</param>
/// <param name="sequence">How many requests this client sent before this one.</param>
/// <param name="ticket">The run's count of requests issued, this one included: 1, 2, ... up to the budget, each once.</param>
internal delegate HttpRequestMessage RequestFactory(int client, long sequence, long ticket);

/// <summary>
/// A closed-loop load: a fixed number of clients, each sending its next request as soon as the previous one is
/// answered, until the time is up or the request budget is spent.
/// </summary>
internal sealed class ClosedLoop
{
    // Latencies are recorded in microseconds, up to a minute: beyond the HTTP timeout, so nothing is clipped.
    private const long HighestMicroseconds = 60_000_000;
    private const int SignificantDigits = 3;

    private readonly HttpClient http;
    private readonly RequestFactory next;
    private readonly long deadline;
    private readonly long budget;
    private long issued;
    private long failures;
    private string? firstFailure;

    private ClosedLoop(HttpClient http, RequestFactory next, TimeSpan duration, long budget)
    {
        this.http = http;
        this.next = next;
        this.budget = budget;
        deadline = Stopwatch.GetTimestamp() + (long)(duration.TotalSeconds * Stopwatch.Frequency);
    }

    /// <summary>
    /// The HTTP client every target is loaded with: at least one pooled connection per client (per server), kept for
    /// the whole run, no proxy.
    /// </summary>
    public static HttpClient CreateHttpClient(int clients) => new(new SocketsHttpHandler
    {
        MaxConnectionsPerServer = clients,
        PooledConnectionLifetime = Timeout.InfiniteTimeSpan,
        UseProxy = false,
    })
    {
        Timeout = TimeSpan.FromSeconds(30),
    };

    /// <summary>Runs <paramref name="clients"/> loops for <paramref name="duration"/> or <paramref name="maxRequests"/> requests, whichever ends first.</summary>
    public static async Task<RunResult> RunAsync(HttpClient http, int clients, TimeSpan duration, long maxRequests, RequestFactory next,
        CancellationToken cancellationToken)
    {
        var load = new ClosedLoop(http, next, duration, maxRequests);
        var started = Stopwatch.GetTimestamp();
        var perClient = await Task.WhenAll(Enumerable.Range(0, clients).Select(client => load.ClientAsync(client, cancellationToken)));
        var elapsed = Stopwatch.GetElapsedTime(started);

        var latency = new LongHistogram(HighestMicroseconds, SignificantDigits);
        foreach (var histogram in perClient)
        {
            latency.Add(histogram);
        }

        return new RunResult(clients, elapsed, latency, load.failures, load.firstFailure);
    }

    private async Task<LongHistogram> ClientAsync(int client, CancellationToken cancellationToken)
    {
        // Each client keeps its own histogram: HdrHistogram's are not thread-safe, and they are merged at the end.
        var latency = new LongHistogram(HighestMicroseconds, SignificantDigits);
        for (long sequence = 0; Stopwatch.GetTimestamp() < deadline; sequence++)
        {
            var ticket = Interlocked.Increment(ref issued);
            if (ticket > budget)
            {
                break;
            }

            using var request = next(client, sequence, ticket);
            var start = Stopwatch.GetTimestamp();
            try
            {
                using var response = await http.SendAsync(request, cancellationToken);
                if (response.IsSuccessStatusCode)
                {
                    latency.RecordValue(Math.Min(Stopwatch.GetElapsedTime(start).Ticks / TimeSpan.TicksPerMicrosecond, HighestMicroseconds));
                    continue;
                }

                Fail($"HTTP {(int)response.StatusCode} from {request.RequestUri}: {await response.Content.ReadAsStringAsync(cancellationToken)}");
            }
            catch (Exception e) when (e is HttpRequestException || (e is TaskCanceledException && !cancellationToken.IsCancellationRequested))
            {
                Fail(e.Message);
            }
        }

        return latency;
    }

    private void Fail(string reason)
    {
        Interlocked.Increment(ref failures);
        Interlocked.CompareExchange(ref firstFailure, reason, null);
    }
}
