using System.Collections.Concurrent;
using System.Globalization;
using System.Net.Http.Json;

namespace NodeNomad.Launcher.Tests;

/// <summary>
/// Client load while the cluster changes: a few loops writing unique keys through one node's REST API (which forwards
/// each to its shard's leader), at a light pace and at most a bounded number of writes. Every write answered 200 is
/// kept with its value; every other outcome is a client error, counted and described.
/// </summary>
internal sealed class WriterLoad : IAsyncDisposable
{
    private const int Loops = 2;
    private const int MostWrites = 20_000;
    private static readonly TimeSpan Pace = TimeSpan.FromMilliseconds(20);

    private readonly HttpClient http;
    private readonly CancellationTokenSource stop = new();
    private readonly Task running;
    private int started;

    private WriterLoad(int port, string prefix)
    {
        http = new HttpClient { BaseAddress = new Uri(string.Create(CultureInfo.InvariantCulture, $"http://localhost:{port}")), Timeout = TimeSpan.FromSeconds(30) };
        running = Task.WhenAll(Enumerable.Range(0, Loops).Select(loop => Task.Run(() => WriteAsync(prefix, loop))));
    }

    /// <summary>Writes acknowledged, by key.</summary>
    public ConcurrentDictionary<string, string> Acknowledged { get; } = new();

    /// <summary>What went wrong with the writes that were not acknowledged.</summary>
    public ConcurrentQueue<string> Errors { get; } = new();

    public static WriterLoad Start(int port, string prefix) => new(port, prefix);

    /// <summary>Stops writing, once the writes in flight are answered.</summary>
    public async Task StopAsync()
    {
        await stop.CancelAsync();
        await running;
    }

    /// <summary>The acknowledged writes whose key does not read back with its value, each with what was read.</summary>
    public async Task<IReadOnlyList<string>> UnreadableAsync()
    {
        var wrong = new ConcurrentQueue<string>();
        await Parallel.ForEachAsync(Acknowledged, new ParallelOptions { MaxDegreeOfParallelism = 4 }, async (write, ct) =>
        {
            try
            {
                var read = await http.GetFromJsonAsync<StoredValue>(new Uri($"/api/v1/get/{Uri.EscapeDataString(write.Key)}", UriKind.Relative), ct);
                if (read?.Value != write.Value)
                {
                    wrong.Enqueue($"{write.Key}: read {read?.Value ?? "nothing"}, written {write.Value}");
                }
            }
            catch (HttpRequestException e)
            {
                wrong.Enqueue($"{write.Key}: {e.Message}");
            }
        });
        return [.. wrong];
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        stop.Dispose();
        http.Dispose();
    }

    private async Task WriteAsync(string prefix, int loop)
    {
        for (var i = 0; !stop.IsCancellationRequested && Interlocked.Increment(ref started) <= MostWrites; i++)
        {
            var key = string.Create(CultureInfo.InvariantCulture, $"{prefix}/{loop}/{i}");
            var value = string.Create(CultureInfo.InvariantCulture, $"value of {key}");
            try
            {
                // Not cancelled by the stop: a write in flight is always answered, so its outcome is known.
                using var response = await http.PostAsJsonAsync(new Uri("/api/v1/set", UriKind.Relative), new { key, value });
                if (response.IsSuccessStatusCode)
                {
                    Acknowledged[key] = value;
                }
                else
                {
                    var body = await response.Content.ReadAsStringAsync();
                    Errors.Enqueue(string.Create(CultureInfo.InvariantCulture, $"{key}: {(int)response.StatusCode} {body}"));
                }
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
            {
                Errors.Enqueue($"{key}: {e.Message}");
            }

            try
            {
                await Task.Delay(Pace, stop.Token);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    private sealed record StoredValue(string Key, string Value, long Version);
}
