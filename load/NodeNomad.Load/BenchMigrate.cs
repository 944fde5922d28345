using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using HdrHistogram;
using NodeNomad.Contracts;

namespace NodeNomad.Load;

/// <summary>
/// <c>bench-migrate</c>: for each shard size, a 4-node cluster with one shard of 3 replicas, filled to that size;
/// steady writes through node-1 (closed loop) measured for a few seconds, then a migration of a replica to the node
/// holding none, under the same load: the move's time and the time of each step, the rate at which the shard's bytes
/// reached the new replica, and write latency during the move against before it. Any failed write is counted.
/// </summary>
internal static class BenchMigrate
{
    private const int FillParallel = 8;
    private static readonly TimeSpan Before = TimeSpan.FromSeconds(5);
    private static readonly TimeSpan MoveLimit = TimeSpan.FromMinutes(10);
    private static readonly JsonSerializerOptions Web = new(JsonSerializerDefaults.Web);

    /// <summary>Runs one move per size in <paramref name="sizesMiB"/> and prints the table; false when any write failed or a move did not finish.</summary>
    public static async Task<bool> RunAsync(IReadOnlyList<int> sizesMiB, int clients, TextWriter output, CancellationToken cancellationToken)
    {
        var dll = RepositoryLayout.Find().RequireNodeDll();
        output.WriteLine(Invariant($"bench-migrate: 4 nodes, SHARD_COUNT=1, REPLICATION_FACTOR=3, started by this program on 127.0.0.1 ({RepositoryLayout.DescribeBuild(dll)})."));
        output.WriteLine(Invariant($"The shard is filled with 256 KiB values; then {clients} clients write 100-byte values to new keys through node-1 for {Before.TotalSeconds} s, and a replica moves to the node holding none, under that load."));
        output.WriteLine(Invariant($"Load and nodes share this machine; at the start: {MachineLoad.Describe()}."));
        output.WriteLine();
        var rows = new List<Row>();
        foreach (var size in sizesMiB)
        {
            rows.Add(await MeasureAsync(dll, size, clients, output, cancellationToken));
        }

        output.WriteLine();
        output.WriteLine(Invariant($"{"shard",8} {"move s",8} {"catch-up s",11} {"MiB/s",8} {"writes/s before",16} {"during",8} {"p99 ms before",14} {"during",8} {"ratio",6} {"failed",7}"));
        foreach (var r in rows)
        {
            output.WriteLine(Invariant($"{r.SizeMiB + " MiB",8} {r.Move.TotalSeconds,8:F1} {r.CatchUp.TotalSeconds,11:F1} {r.SizeMiB / Math.Max(0.001, r.CatchUp.TotalSeconds),8:F1} {r.BeforeRate,16:F0} {r.DuringRate,8:F0} {r.BeforeP99,14:F2} {r.DuringP99,8:F2} {r.DuringP99 / Math.Max(0.001, r.BeforeP99),6:F2} {r.Failures,7}"));
        }

        output.WriteLine();
        output.WriteLine("catch-up: from the learner's addition to its promotion (the snapshot and the log's tail); MiB/s: the shard's bytes over that time.");
        output.WriteLine(Invariant($"Machine when done: {MachineLoad.Describe()}."));
        return rows.All(r => r.Failures == 0 && r.State == MigrationStates.Done);
    }

    private static async Task<Row> MeasureAsync(string dll, int sizeMiB, int clients, TextWriter output, CancellationToken cancellationToken)
    {
        await using var cluster = await LocalCluster.StartAsync(dll, 4, cancellationToken, new Dictionary<string, string> { ["REPLICATION_FACTOR"] = "3" });
        using var http = new HttpClient { BaseAddress = cluster.Nodes[0].Url, Timeout = TimeSpan.FromSeconds(30) };
        var shard = await ShardAsync(http, cancellationToken);
        var target = cluster.Nodes.Select(n => n.NodeId).First(id => shard.Replicas.All(r => r.NodeId != id));

        var fill = Stopwatch.StartNew();
        var value = new string('v', 256 * 1024);
        var count = sizeMiB * 4;
        var next = -1;
        await Task.WhenAll(Enumerable.Range(0, FillParallel).Select(async _ =>
        {
            for (var i = Interlocked.Increment(ref next); i < count; i = Interlocked.Increment(ref next))
            {
                using var response = await http.PostAsJsonAsync("/api/v1/set", new SetRequest(Invariant($"fill-{i:D6}"), value), Web, cancellationToken);
                if (response.StatusCode != HttpStatusCode.OK)
                {
                    throw new BenchSetupException(Invariant($"filling the shard failed at key {i}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync(cancellationToken)}"));
                }
            }
        }));
        output.WriteLine(Invariant($"{sizeMiB} MiB: filled with {count} values in {fill.Elapsed.TotalSeconds:F1} s; moving a replica of shard-0 ({string.Join(", ", shard.Replicas.Select(r => r.NodeId))}) to {target}."));

        var before = new LongHistogram(TimeSpan.TicksPerMinute, 3);
        var during = new LongHistogram(TimeSpan.TicksPerMinute, 3);
        var current = before;
        var failures = 0;
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var written = new long[2];
        var load = Task.WhenAll(Enumerable.Range(0, clients).Select(c => Task.Run(async () =>
        {
            using var client = new HttpClient { BaseAddress = cluster.Nodes[0].Url, Timeout = TimeSpan.FromSeconds(30) };
            for (var i = 0; !stop.IsCancellationRequested; i++)
            {
                var histogram = current;
                var started = Stopwatch.GetTimestamp();
                try
                {
                    using var response = await client.PostAsJsonAsync("/api/v1/set", new SetRequest(Invariant($"load-{c}-{i}"), new string('w', 100)), Web, stop.Token);
                    var ticks = Stopwatch.GetElapsedTime(started).Ticks;
                    if (response.StatusCode == HttpStatusCode.OK)
                    {
                        lock (histogram)
                        {
                            histogram.RecordValue(Math.Min(ticks, TimeSpan.TicksPerMinute));
                        }

                        Interlocked.Increment(ref written[histogram == before ? 0 : 1]);
                    }
                    else
                    {
                        Interlocked.Increment(ref failures);
                    }
                }
                catch (OperationCanceledException) when (stop.IsCancellationRequested)
                {
                }
                catch (HttpRequestException)
                {
                    Interlocked.Increment(ref failures);
                }
            }
        }, CancellationToken.None)));

        await Task.Delay(Before, cancellationToken);
        current = during;
        var moveStarted = Stopwatch.StartNew();
        // A 503 (the meta group did not commit the start in time) is retried, as a client would; the retries are reported.
        HttpResponseMessage started;
        var retries = 0;
        while (true)
        {
            started = await http.PostAsJsonAsync("/api/v1/cluster/migrate", new { shardId = "shard-0", targetNodeId = target }, Web, cancellationToken);
            if (started.StatusCode != HttpStatusCode.ServiceUnavailable || moveStarted.Elapsed > TimeSpan.FromSeconds(60))
            {
                break;
            }

            if (retries++ == 0)
            {
                output.WriteLine(Invariant($"  migrate answered 503 after {moveStarted.Elapsed.TotalSeconds:F1} s: {await started.Content.ReadAsStringAsync(cancellationToken)}; retrying every 200 ms"));
            }

            started.Dispose();
            await Task.Delay(200, cancellationToken);
        }

        using var answer = started;
        var acceptedAfter = moveStarted.Elapsed;
        if (started.StatusCode != HttpStatusCode.Accepted)
        {
            await stop.CancelAsync();
            await load;
            throw new BenchSetupException(Invariant($"the migration was refused: {(int)started.StatusCode} {await started.Content.ReadAsStringAsync(cancellationToken)}"));
        }

        var migration = (await started.Content.ReadFromJsonAsync<MigrationInfo>(Web, cancellationToken))!;
        while (!MigrationStates.IsFinal(migration.State) && moveStarted.Elapsed < MoveLimit)
        {
            await Task.Delay(100, cancellationToken);
            migration = (await http.GetFromJsonAsync<MigrationInfo>($"/api/v1/cluster/migrations/{migration.Id}", Web, cancellationToken))!;
        }

        var moved = moveStarted.Elapsed;
        await stop.CancelAsync();
        await load;
        foreach (var step in migration.Steps)
        {
            output.WriteLine(Invariant($"  {step.At:HH:mm:ss.fff} {step.State,-24} {step.Detail}"));
        }

        var learnerAt = migration.Steps.First(s => s.State == MigrationStates.AddingLearner).At;
        var promotedAt = migration.Steps.FirstOrDefault(s => s.State is MigrationStates.Swapping or MigrationStates.TransferringLeadership)?.At ?? migration.UpdatedAt;
        output.WriteLine(Invariant($"  {retries} retried migrate request(s), accepted {acceptedAfter.TotalSeconds:F1} s after the first; {failures} failed writes"));
        return new Row(sizeMiB, migration.State, moved, promotedAt - learnerAt,
            written[0] / Before.TotalSeconds, written[1] / Math.Max(0.001, moved.TotalSeconds),
            Milliseconds(before, 99), Milliseconds(during, 99), failures);
    }

    private static async Task<ShardInfo> ShardAsync(HttpClient http, CancellationToken cancellationToken)
    {
        var deadline = Stopwatch.StartNew();
        while (deadline.Elapsed < TimeSpan.FromSeconds(30))
        {
            var shards = await http.GetFromJsonAsync<ShardInfo[]>("/api/v1/cluster/shards", Web, cancellationToken);
            if (shards is [{ LeaderId: not null } shard])
            {
                return shard;
            }

            await Task.Delay(100, cancellationToken);
        }

        throw new BenchSetupException("shard-0 elected no leader within 30 s");
    }

    private static double Milliseconds(LongHistogram histogram, double percentile) =>
        histogram.TotalCount == 0 ? 0 : histogram.GetValueAtPercentile(percentile) / (double)TimeSpan.TicksPerMillisecond;

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);

    private sealed record Row(int SizeMiB, string State, TimeSpan Move, TimeSpan CatchUp, double BeforeRate, double DuringRate, double BeforeP99, double DuringP99, int Failures);
}
