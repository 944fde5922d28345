using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using HdrHistogram;
using NodeNomad.Contracts;

namespace NodeNomad.Load;

/// <summary>
/// <c>bench-join</c>: the launcher's own cluster (5 nodes × 8 shards, replication 3, file storage), filled with data;
/// then a light write load, measured for a few seconds, and <c>launcher add</c> under it: how long the cluster takes to
/// give node-6 its share (until no migration is in flight and node-6 holds at least its share of the replicas), how
/// many moves that took, the bytes of the shards they moved and the bytes node-6 received, and the writes' errors and p99 meanwhile against before.
/// </summary>
internal static class BenchJoin
{
    private const int Nodes = 5;
    private const int Shards = 8;
    private const int Factor = 3;
    private const int FillParallel = 8;
    private const int FillValueBytes = 64 * 1024;
    private static readonly TimeSpan Before = TimeSpan.FromSeconds(5);
    private static readonly TimeSpan RebalanceLimit = TimeSpan.FromMinutes(10);
    private static readonly TimeSpan Pace = TimeSpan.FromMilliseconds(10);
    private static readonly TimeSpan Poll = TimeSpan.FromMilliseconds(250);
    private static readonly JsonSerializerOptions Web = new(JsonSerializerDefaults.Web);

    /// <summary>Runs the join once and prints its figures; false when a write failed or the cluster did not settle in time.</summary>
    public static async Task<bool> RunAsync(int sizeMiB, int clients, TextWriter output, CancellationToken cancellationToken)
    {
        var layout = RepositoryLayout.Find();
        layout.RequireNodeDll();
        var launcher = layout.RequireLauncherDll();
        output.WriteLine(Invariant($"bench-join: the launcher's cluster, {Nodes} nodes × {Shards} shards, replication {Factor}, file storage, on 127.0.0.1 ({RepositoryLayout.DescribeBuild(launcher)})."));
        output.WriteLine(Invariant($"Filled with {sizeMiB} MiB of {FillValueBytes / 1024} KiB values; then {clients} clients write 100-byte values to new keys through node-1..node-{Nodes} ({Pace.TotalMilliseconds:0} ms apart) for {Before.TotalSeconds} s, and `launcher add` starts node-6 under that load."));
        output.WriteLine(Invariant($"Load and nodes share this machine; at the start: {MachineLoad.Describe()}."));

        await using var fleet = await LaunchedFleet.StartAsync(launcher, Nodes + 1, cancellationToken);
        using var http = new HttpClient { BaseAddress = fleet.Url(1), Timeout = TimeSpan.FromSeconds(30) };
        var fill = Stopwatch.StartNew();
        await FillAsync(fleet, sizeMiB, cancellationToken);
        output.WriteLine(Invariant($"Filled in {fill.Elapsed.TotalSeconds:F1} s: {(await ShardsAsync(http, cancellationToken)).Sum(s => s.Bytes) / (1024.0 * 1024):F1} MiB in the shards (each stored {Factor} times)."));
        await UntilSettledAsync(http, cancellationToken);

        await using var load = new Load(fleet, clients);
        await Task.Delay(Before, cancellationToken);
        load.Measure(during: true);
        var joinStarted = DateTimeOffset.UtcNow;
        var clock = Stopwatch.StartNew();

        var (code, added) = await fleet.RequestAsync("add", cancellationToken);
        var joinedAfter = clock.Elapsed;
        if (code != 0)
        {
            throw new BenchSetupException($"launcher add failed (exit code {code}): {added}");
        }

        var share = Shards * Factor / (Nodes + 1);
        TimeSpan? settledAfter = null;
        NodeInfo? joiner = null;
        while (clock.Elapsed < RebalanceLimit)
        {
            joiner = (await NodesAsync(http, cancellationToken)).FirstOrDefault(n => n.Id == "node-6");
            if (joiner is not null && joiner.Replicas.Count >= share && (await MigrationsAsync(http, cancellationToken)).All(m => MigrationStates.IsFinal(m.State)))
            {
                settledAfter = clock.Elapsed;
                break;
            }

            await Task.Delay(Poll, cancellationToken);
        }

        await load.StopAsync();
        var moves = (await MigrationsAsync(http, cancellationToken)).Where(m => m.CreatedAt >= joinStarted).ToList();
        var received = await ReceivedBytesAsync(fleet.Url(6), cancellationToken);
        // A move's snapshot carries its shard's keys and values (a move lasts about a second here, too short to poll its progress).
        var shardBytes = (await ShardsAsync(http, cancellationToken)).ToDictionary(s => s.Id, s => s.Bytes);
        var moved = moves.Sum(m => shardBytes.GetValueOrDefault(m.ShardId));

        output.WriteLine();
        output.WriteLine(added);
        output.WriteLine(Invariant($"{"joined s",9} {"rebalanced s",13} {"moves",6} {"shards MiB",11} {"node-6 got MiB",15} {"node-6 replicas",16} {"leads",6} {"writes/s before",16} {"during",8} {"p99 ms before",14} {"during",8} {"ratio",6} {"errors",7}"));
        output.WriteLine(Invariant($"{joinedAfter.TotalSeconds,9:F1} {(settledAfter is { } s ? s.TotalSeconds.ToString("F1", CultureInfo.InvariantCulture) : "no"),13} {moves.Count,6} {moved / (1024.0 * 1024),11:F1} {received / (1024.0 * 1024),15:F1} {joiner?.Replicas.Count ?? 0,16} {joiner?.Leaderships.Count ?? 0,6} {load.Rate(false),16:F0} {load.Rate(true),8:F0} {load.P99(false),14:F2} {load.P99(true),8:F2} {load.P99(true) / Math.Max(0.001, load.P99(false)),6:F2} {load.Errors,7}"));
        output.WriteLine();
        foreach (var move in moves.OrderBy(m => m.CreatedAt))
        {
            output.WriteLine(Invariant($"  {move.CreatedAt:HH:mm:ss.fff} {move.Shard} {move.SourceNodeId} -> {move.TargetNodeId} {move.Reason,-9} {move.State,-11} {(move.UpdatedAt - move.CreatedAt).TotalSeconds,5:F1} s, shard {shardBytes.GetValueOrDefault(move.ShardId) / (1024.0 * 1024):F1} MiB"));
        }

        foreach (var error in load.FirstErrors)
        {
            output.WriteLine($"  error: {error}");
        }

        output.WriteLine();
        output.WriteLine(Invariant($"joined: from `add` to its answer (node-6 recorded up); rebalanced: from `add` until no migration is in flight and node-6 holds at least its share ({share} of {Shards * Factor} replicas)."));
        output.WriteLine("shards MiB: the keys and values of the shards moved, which their snapshots carry; node-6 got: all it received from its peers (snapshots, log tails and heartbeats).");
        output.WriteLine(Invariant($"Machine when done: {MachineLoad.Describe()}."));
        return settledAfter is not null && load.Errors == 0;
    }

    private static async Task FillAsync(LaunchedFleet fleet, int sizeMiB, CancellationToken cancellationToken)
    {
        var value = new string('v', FillValueBytes);
        var count = sizeMiB * (1024 * 1024 / FillValueBytes);
        var next = -1;
        await Task.WhenAll(Enumerable.Range(0, FillParallel).Select(async writer =>
        {
            using var http = new HttpClient { BaseAddress = fleet.Url(1 + (writer % Nodes)), Timeout = TimeSpan.FromSeconds(30) };
            for (var i = Interlocked.Increment(ref next); i < count; i = Interlocked.Increment(ref next))
            {
                using var response = await http.PostAsJsonAsync("/api/v1/set", new SetRequest(Invariant($"fill-{i:D7}"), value), Web, cancellationToken);
                if (response.StatusCode != HttpStatusCode.OK)
                {
                    throw new BenchSetupException(Invariant($"filling the cluster failed at key {i}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync(cancellationToken)}"));
                }
            }
        }));
    }

    /// <summary>Waits until no migration is in flight (the fill may have set the rebalancer moving).</summary>
    private static async Task UntilSettledAsync(HttpClient http, CancellationToken cancellationToken)
    {
        var waited = Stopwatch.StartNew();
        while (!(await MigrationsAsync(http, cancellationToken)).All(m => MigrationStates.IsFinal(m.State)))
        {
            if (waited.Elapsed > RebalanceLimit)
            {
                throw new BenchSetupException("migrations were still in flight after the fill");
            }

            await Task.Delay(Poll, cancellationToken);
        }
    }

    /// <summary>The node's <c>nodenomad_transport_bytes_received_bytes_total</c>, from its Prometheus text.</summary>
    private static async Task<long> ReceivedBytesAsync(Uri node, CancellationToken cancellationToken)
    {
        using var http = new HttpClient { BaseAddress = node, Timeout = TimeSpan.FromSeconds(10) };
        var text = await http.GetStringAsync("/metrics", cancellationToken);
        var line = text.Split('\n').FirstOrDefault(l => l.StartsWith("nodenomad_transport_bytes_received_bytes_total", StringComparison.Ordinal));
        return line is null ? 0 : (long)double.Parse(line[(line.LastIndexOf(' ') + 1)..], CultureInfo.InvariantCulture);
    }

    private static async Task<ShardInfo[]> ShardsAsync(HttpClient http, CancellationToken cancellationToken) =>
        (await http.GetFromJsonAsync<ShardInfo[]>("/api/v1/cluster/shards", Web, cancellationToken))!;

    private static async Task<NodeInfo[]> NodesAsync(HttpClient http, CancellationToken cancellationToken) =>
        (await http.GetFromJsonAsync<NodeInfo[]>("/api/v1/cluster/nodes", Web, cancellationToken))!;

    private static async Task<MigrationInfo[]> MigrationsAsync(HttpClient http, CancellationToken cancellationToken) =>
        (await http.GetFromJsonAsync<MigrationInfo[]>("/api/v1/cluster/migrations", Web, cancellationToken))!;

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);

    /// <summary>
    /// The light write load: closed loops, each on one of node-1..node-5 in turn, writing new keys with a pause
    /// between writes; latencies go to the histogram of before or during the join. Any write not answered 200 is an error.
    /// </summary>
    private sealed class Load : IAsyncDisposable
    {
        private readonly LongHistogram before = new(TimeSpan.TicksPerMinute, 3);
        private readonly LongHistogram during = new(TimeSpan.TicksPerMinute, 3);
        private readonly long[] written = new long[2];
        private readonly TimeSpan[] measured = new TimeSpan[2];
        private readonly Stopwatch phase = Stopwatch.StartNew();
        private readonly CancellationTokenSource stop = new();
        private readonly ConcurrentQueue<string> errors = new();
        private readonly Task running;
        private volatile bool inJoin;
        private int errorCount;

        public Load(LaunchedFleet fleet, int clients) =>
            running = Task.WhenAll(Enumerable.Range(0, clients).Select(c => Task.Run(() => WriteAsync(fleet.Url(1 + (c % Nodes)), c))));

        public int Errors => errorCount;

        public IEnumerable<string> FirstErrors => errors.Take(10);

        public void Measure(bool during)
        {
            measured[0] = phase.Elapsed;
            phase.Restart();
            inJoin = during;
        }

        public async Task StopAsync()
        {
            if (!stop.IsCancellationRequested)
            {
                measured[1] = phase.Elapsed;
                await stop.CancelAsync();
                await running;
            }
        }

        public double Rate(bool join) => written[join ? 1 : 0] / Math.Max(0.001, measured[join ? 1 : 0].TotalSeconds);

        public double P99(bool join)
        {
            var histogram = join ? during : before;
            lock (histogram)
            {
                return histogram.TotalCount == 0 ? 0 : histogram.GetValueAtPercentile(99) / (double)TimeSpan.TicksPerMillisecond;
            }
        }

        public async ValueTask DisposeAsync()
        {
            await StopAsync();
            stop.Dispose();
        }

        private async Task WriteAsync(Uri node, int client)
        {
            using var http = new HttpClient { BaseAddress = node, Timeout = TimeSpan.FromSeconds(30) };
            for (var i = 0; !stop.IsCancellationRequested; i++)
            {
                var join = inJoin;
                var started = Stopwatch.GetTimestamp();
                try
                {
                    // Not cancelled by the stop: a write in flight is answered, so its outcome is known.
                    using var response = await http.PostAsJsonAsync("/api/v1/set", new SetRequest(Invariant($"join-load-{client}-{i}"), new string('w', 100)), Web);
                    var ticks = Stopwatch.GetElapsedTime(started).Ticks;
                    if (response.StatusCode == HttpStatusCode.OK)
                    {
                        var histogram = join ? during : before;
                        lock (histogram)
                        {
                            histogram.RecordValue(Math.Min(ticks, TimeSpan.TicksPerMinute));
                        }

                        Interlocked.Increment(ref written[join ? 1 : 0]);
                    }
                    else
                    {
                        Interlocked.Increment(ref errorCount);
                        var body = await response.Content.ReadAsStringAsync();
                        errors.Enqueue(Invariant($"{(int)response.StatusCode} {body}"));
                    }
                }
                catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
                {
                    Interlocked.Increment(ref errorCount);
                    errors.Enqueue(e.Message);
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
    }
}
