using System.Net.Http.Json;
using NodeNomad.Contracts;

namespace NodeNomad.Client;

/// <summary>
/// The shard map a <see cref="NodeNomadClusterClient"/> routes by: read once, then again when a node says it is
/// out of date, when it grows older than <see cref="NodeNomadClusterClientOptions.MapMaximumAge"/> (in the
/// background, while calls go on with the old one), but never more often than
/// <see cref="NodeNomadClusterClientOptions.MinimumMapRefreshInterval"/>. Concurrent callers share one read.
/// </summary>
internal sealed class ShardMapCache
{
    private readonly Func<HttpClient> http;
    private readonly NodeNomadClusterClientOptions options;
    private readonly TimeProvider clock;
    private readonly Lock gate = new();
    private ShardMap? current;
    private Task<ShardMap>? reading;
    private long lastReadStarted;
    private bool outdated;

    public ShardMapCache(Func<HttpClient> http, NodeNomadClusterClientOptions options, TimeProvider clock)
    {
        this.http = http;
        this.options = options;
        this.clock = clock;
    }

    /// <summary>The map to route by; read first when there is none yet.</summary>
    /// <exception cref="ClusterUnavailableException">No map yet, and no node answered with one.</exception>
    public async Task<ShardMap> CurrentAsync(CancellationToken cancellationToken)
    {
        var map = Volatile.Read(ref current);
        if (map is null)
        {
            return await ReadAsync(cancellationToken);
        }

        if (Volatile.Read(ref outdated) || clock.GetUtcNow() - map.ReadAt > options.MapMaximumAge)
        {
            ObserveInBackground(Start());
        }

        return map;
    }

    /// <summary>Reads the map again (or joins a read under way) and returns it.</summary>
    public Task<ShardMap> ReadAsync(CancellationToken cancellationToken) => Start().WaitAsync(cancellationToken);

    /// <summary>Marks the map out of date: the next call starts reading it again in the background.</summary>
    public void Outdate() => Volatile.Write(ref outdated, true);

    private Task<ShardMap> Start()
    {
        lock (gate)
        {
            if (reading is null)
            {
                // Read on the thread pool so that the lock is not held across the first await.
                reading = Task.Run(ReadOnceAsync);
            }

            return reading;
        }
    }

    private async Task<ShardMap> ReadOnceAsync()
    {
        try
        {
            var previous = Volatile.Read(ref lastReadStarted);
            var wait = previous == 0 ? TimeSpan.Zero : options.MinimumMapRefreshInterval - clock.GetElapsedTime(previous);
            if (wait > TimeSpan.Zero)
            {
                await Task.Delay(wait, clock);
            }

            Volatile.Write(ref lastReadStarted, clock.GetTimestamp());
            Volatile.Write(ref outdated, false);
            var map = await ReadFromAnyNodeAsync();
            Volatile.Write(ref current, map);
            return map;
        }
        finally
        {
            lock (gate)
            {
                reading = null;
            }
        }
    }

    private async Task<ShardMap> ReadFromAnyNodeAsync()
    {
        var known = Volatile.Read(ref current);
        IEnumerable<Uri> candidates = known is null ? options.Seeds : [known.Source, .. known.UsableUrls, .. options.Seeds];
        var failures = new List<Exception>();
        foreach (var node in candidates.Distinct())
        {
            using var attempt = new CancellationTokenSource(options.AttemptTimeout, clock);
            try
            {
                var client = http();
                var shards = client.GetFromJsonAsync(NodeAddress.Of(node, "api/v1/cluster/shards"), NodeNomadJsonContext.Default.IReadOnlyListShardInfo, attempt.Token);
                var nodes = client.GetFromJsonAsync(NodeAddress.Of(node, "api/v1/cluster/nodes"), NodeNomadJsonContext.Default.IReadOnlyListNodeInfo, attempt.Token);
                return new ShardMap(await shards ?? [], await nodes ?? [], node, clock.GetUtcNow());
            }
            catch (Exception e) when (e is HttpRequestException or OperationCanceledException or System.Text.Json.JsonException or FormatException)
            {
                failures.Add(new HttpRequestException($"{node} did not give the shard map: {e.Message}", e));
            }
        }

        throw new ClusterUnavailableException(
            "No shard map",
            $"None of the nodes tried ({failures.Count}) answered with the shard map.",
            problem: null,
            retryAfter: null,
            new AggregateException(failures));
    }

    private static void ObserveInBackground(Task task) =>
        task.ContinueWith(t => _ = t.Exception, CancellationToken.None, TaskContinuationOptions.OnlyOnFaulted, TaskScheduler.Default);
}
