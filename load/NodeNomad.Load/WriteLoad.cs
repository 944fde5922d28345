using System.Diagnostics;
using System.Net.Http.Headers;
using HdrHistogram;

namespace NodeNomad.Load;

/// <summary>
/// A closed-loop write load: a fixed number of clients, each sending its next write (to a key never written
/// before) as soon as the previous one is acknowledged, until the time is up or the request budget is spent.
/// </summary>
internal sealed class WriteLoad
{
    // Latencies are recorded in microseconds, up to a minute: beyond the HTTP timeout, so nothing is clipped.
    private const long HighestMicroseconds = 60_000_000;
    private const int SignificantDigits = 3;

    private readonly HttpClient http;
    private readonly IWriteTarget target;
    private readonly string keyPrefix;
    private readonly string value;
    private readonly long deadline;
    private readonly long budget;
    private long issued;
    private long failures;
    private string? firstFailure;

    private WriteLoad(HttpClient http, IWriteTarget target, string keyPrefix, string value, TimeSpan duration, long budget)
    {
        this.http = http;
        this.target = target;
        this.keyPrefix = keyPrefix;
        this.value = value;
        this.budget = budget;
        deadline = Stopwatch.GetTimestamp() + (long)(duration.TotalSeconds * Stopwatch.Frequency);
    }

    /// <summary>
    /// The HTTP client every target is loaded with: at least one pooled connection per client, kept for the whole
    /// run, no proxy.
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

    /// <summary>Runs <paramref name="clients"/> loops for <paramref name="duration"/> or <paramref name="maxRequests"/> writes, whichever ends first.</summary>
    public static async Task<RunResult> RunAsync(HttpClient http, IWriteTarget target, int clients, TimeSpan duration, long maxRequests,
        string keyPrefix, string value, CancellationToken cancellationToken)
    {
        var load = new WriteLoad(http, target, keyPrefix, value, duration, maxRequests);
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
        for (long sequence = 0; Stopwatch.GetTimestamp() < deadline && Interlocked.Increment(ref issued) <= budget; sequence++)
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, target.WriteUrl)
            {
                Content = new ByteArrayContent(target.WriteBody($"{keyPrefix}/{client}/{sequence}", value))
                {
                    Headers = { ContentType = new MediaTypeHeaderValue("application/json") },
                },
            };
            var start = Stopwatch.GetTimestamp();
            try
            {
                using var response = await http.SendAsync(request, cancellationToken);
                if (response.IsSuccessStatusCode)
                {
                    latency.RecordValue(Math.Min(Stopwatch.GetElapsedTime(start).Ticks / TimeSpan.TicksPerMicrosecond, HighestMicroseconds));
                    continue;
                }

                Fail($"HTTP {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync(cancellationToken)}");
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
