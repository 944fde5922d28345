using System.Diagnostics;
using System.Globalization;
using HdrHistogram;
using NodeNomad.Storage;
using NodeNomad.Storage.Marten;

namespace NodeNomad.Load;

/// <summary>One measured storage run: concurrent writers through group commit, or one caller saving fixed batches.</summary>
/// <param name="Backend">file or marten.</param>
/// <param name="Writers">Concurrent writers (1 for fixed batches).</param>
/// <param name="BatchSize">Entries per save for fixed batches; 0 for group commit, whose batches are whatever is queued.</param>
/// <param name="Elapsed">From the first submission to the last completion.</param>
/// <param name="Saves">Saves made.</param>
/// <param name="Entries">Entries made durable.</param>
/// <param name="Latency">Microseconds per entry (group commit: submitted to durable) or per save (fixed batches).</param>
internal sealed record StorageRun(string Backend, int Writers, int BatchSize, TimeSpan Elapsed, long Saves, long Entries, HistogramBase Latency)
{
    public double EntriesPerSecond => Entries / Elapsed.TotalSeconds;

    public double SavesPerSecond => Saves / Elapsed.TotalSeconds;

    public double EntriesPerSave => Saves == 0 ? 0 : (double)Entries / Saves;

    public double Milliseconds(double percentile) => Latency.GetValueAtPercentile(percentile) / 1000.0;
}

/// <summary>
/// <c>bench-storage</c>: committed entries per second of the file and Marten logs, through a group-commit loop at each
/// writer count and in fixed batches; with <c>--cluster</c>, a 3-node cluster's writes per second on each backend.
/// </summary>
internal static class BenchStorage
{
    private const long HighestMicroseconds = 60_000_000;
    private const int SignificantDigits = 3;
    private const string File = "file";
    private const string Marten = "marten";
    private const int ClusterNodes = 3;
    private static readonly int[] BatchSizes = [1, 10, 100];
    private static readonly int[] ClusterClients = [1, 64];
    private static readonly TimeSpan WarmUp = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan LeaderLimit = TimeSpan.FromSeconds(60);

    /// <summary>Runs the benchmark and prints the tables; false when a cluster write failed.</summary>
    public static async Task<bool> RunAsync(BenchStorageOptions options, TextWriter output, CancellationToken cancellationToken)
    {
        var dll = options.Cluster ? RepositoryLayout.Find().RequireNodeDll() : null;
        var run = Guid.NewGuid().ToString("N")[..8];
        var duration = TimeSpan.FromSeconds(options.Seconds);
        var payload = new byte[options.EntryBytes];
        Array.Fill(payload, (byte)'x');

        output.WriteLine(Invariant($"bench-storage: the Raft log alone, {options.Seconds} s per run after a {WarmUp.TotalSeconds} s warm-up, {options.EntryBytes}-byte entries, one group; every save carries the group's hard state too."));
        output.WriteLine(Invariant($"Stores and load share this machine; at the start: {MachineLoad.Describe()}."));

        await using var postgres = await LocalPostgres.StartAsync(options.Postgres, cancellationToken);
        output.WriteLine(Invariant($"file: FileRaftLog in a temporary folder (fsync on). marten: MartenRaftLog on the {postgres.Description}, schema of its own."));
        output.WriteLine();

        var logSchema = Invariant($"nodenomad_bench_{run}");
        var groupRuns = new List<StorageRun>();
        var batchRuns = new List<StorageRun>();
        var folder = Directory.CreateTempSubdirectory("nodenomad-bench-storage-");
        try
        {
            await using (var file = new BenchLog(File, new FileRaftLog(Path.Combine(folder.FullName, "log"))))
            {
                await MeasureAsync(file, options, duration, payload, groupRuns, batchRuns, cancellationToken);
            }

            await using (var marten = new BenchLog(Marten, new MartenRaftLog(new MartenRaftLogOptions
            {
                ConnectionString = postgres.ConnectionString,
                SchemaName = logSchema,
                NodeId = "bench-storage",
            })))
            {
                await MeasureAsync(marten, options, duration, payload, groupRuns, batchRuns, cancellationToken);
            }
        }
        finally
        {
            Remove(folder);
            await postgres.DropSchemaAsync(logSchema);
        }

        WriteGroupCommit(output, options, groupRuns);
        WriteBatches(output, batchRuns);
        var succeeded = true;
        if (dll is not null)
        {
            succeeded = await ClusterAsync(dll, postgres, options, run, output, cancellationToken);
        }

        output.WriteLine(Invariant($"Machine when done: {MachineLoad.Describe()}. Figures move by tens of percent between runs on a busy machine; compare rows of one invocation."));
        return succeeded;
    }

    private static async Task MeasureAsync(BenchLog log, BenchStorageOptions options, TimeSpan duration, ReadOnlyMemory<byte> payload,
        List<StorageRun> groupRuns, List<StorageRun> batchRuns, CancellationToken cancellationToken)
    {
        await Console.Error.WriteLineAsync($"{log.Backend}: opening the log, warming up {WarmUp.TotalSeconds} s");
        await log.RecoverAsync(cancellationToken);
        await GroupCommitAsync(log, options.Writers.Max(), WarmUp, payload, cancellationToken);
        foreach (var writers in options.Writers)
        {
            await Console.Error.WriteLineAsync(Invariant($"{log.Backend}: {writers} writer(s) through group commit, {options.Seconds} s"));
            groupRuns.Add(await GroupCommitAsync(log, writers, duration, payload, cancellationToken));
        }

        foreach (var size in BatchSizes)
        {
            await Console.Error.WriteLineAsync(Invariant($"{log.Backend}: batches of {size}, {options.Seconds} s"));
            batchRuns.Add(await FixedBatchesAsync(log, size, duration, payload, cancellationToken));
        }
    }

    /// <summary><paramref name="writers"/> loops, each submitting its next entry once the previous one is durable, until the time is up.</summary>
    private static async Task<StorageRun> GroupCommitAsync(BenchLog log, int writers, TimeSpan duration, ReadOnlyMemory<byte> payload,
        CancellationToken cancellationToken)
    {
        var loop = new GroupCommitLoop(log);
        var saving = loop.RunAsync(cancellationToken);
        var started = Stopwatch.GetTimestamp();
        var deadline = started + (long)(duration.TotalSeconds * Stopwatch.Frequency);
        HistogramBase[] perWriter;
        try
        {
            perWriter = await Task.WhenAll(Enumerable.Range(0, writers).Select(_ => Task.Run(async () =>
            {
                var latency = new LongHistogram(HighestMicroseconds, SignificantDigits);
                while (Stopwatch.GetTimestamp() < deadline && !cancellationToken.IsCancellationRequested)
                {
                    var start = Stopwatch.GetTimestamp();
                    await loop.SubmitAsync(payload);
                    latency.RecordValue(Math.Min(Stopwatch.GetElapsedTime(start).Ticks / TimeSpan.TicksPerMicrosecond, HighestMicroseconds));
                }

                return (HistogramBase)latency;
            }, cancellationToken)));
        }
        finally
        {
            loop.Complete();
            await saving;
        }

        cancellationToken.ThrowIfCancellationRequested();
        var elapsed = Stopwatch.GetElapsedTime(started);
        return new StorageRun(log.Backend, writers, BatchSize: 0, elapsed, loop.Saves, loop.Entries, Merge(perWriter));
    }

    /// <summary>One caller saving batches of exactly <paramref name="size"/> entries, one after another, until the time is up.</summary>
    private static async Task<StorageRun> FixedBatchesAsync(BenchLog log, int size, TimeSpan duration, ReadOnlyMemory<byte> payload,
        CancellationToken cancellationToken)
    {
        var payloads = Enumerable.Repeat(payload, size).ToArray();
        var latency = new LongHistogram(HighestMicroseconds, SignificantDigits);
        var started = Stopwatch.GetTimestamp();
        var deadline = started + (long)(duration.TotalSeconds * Stopwatch.Frequency);
        long saves = 0;
        while (Stopwatch.GetTimestamp() < deadline)
        {
            var start = Stopwatch.GetTimestamp();
            await log.SaveAsync(payloads, cancellationToken);
            latency.RecordValue(Math.Min(Stopwatch.GetElapsedTime(start).Ticks / TimeSpan.TicksPerMicrosecond, HighestMicroseconds));
            saves++;
        }

        return new StorageRun(log.Backend, Writers: 1, size, Stopwatch.GetElapsedTime(started), saves, saves * size, latency);
    }

    /// <summary>
    /// A 3-node cluster on each backend, writes to the leader at 1 and 64 clients; with several rounds the pair is
    /// measured again, the backend that goes first alternating, and the ratio's median is printed beside every round's.
    /// </summary>
    private static async Task<bool> ClusterAsync(string dll, LocalPostgres postgres, BenchStorageOptions options, string run, TextWriter output,
        CancellationToken cancellationToken)
    {
        var load = new LoadSettings(options.Seconds, ClusterClients, options.EntryBytes, LoadSettings.Default.MaxRequests);
        var value = load.MakeValue();
        var rounds = new List<(IReadOnlyList<RunResult> File, IReadOnlyList<RunResult> Marten)>();
        for (var round = 1; round <= options.Rounds; round++)
        {
            var order = round % 2 == 1 ? new[] { File, Marten } : [Marten, File];
            var measured = new Dictionary<string, IReadOnlyList<RunResult>>();
            foreach (var name in order)
            {
                measured[name] = await ClusterRunAsync(dll, postgres, name, Invariant($"{run}_{round}"), load, value, run, output, cancellationToken);
            }

            rounds.Add((measured[File], measured[Marten]));
        }

        output.WriteLine("Cluster writes/s, marten / file" + (rounds.Count > 1 ? Invariant($", {rounds.Count} rounds (odd rounds file first, even rounds marten first)") : string.Empty));
        output.WriteLine("  round  clients     file w/s   marten w/s  marten/file");
        for (var i = 0; i < rounds.Count; i++)
        {
            foreach (var (file, marten) in rounds[i].File.Zip(rounds[i].Marten))
            {
                output.WriteLine(Invariant($"{i + 1,7} {file.Clients,8} {file.OperationsPerSecond,12:F0} {marten.OperationsPerSecond,12:F0}  {Ratio(marten.OperationsPerSecond, file.OperationsPerSecond)}"));
            }
        }

        if (rounds.Count > 1)
        {
            foreach (var clients in ClusterClients)
            {
                var ratios = rounds.Select(r => r.Marten.Single(m => m.Clients == clients).OperationsPerSecond / Math.Max(1e-9, r.File.Single(f => f.Clients == clients).OperationsPerSecond))
                    .Order().ToList();
                var median = ratios.Count % 2 == 1 ? ratios[ratios.Count / 2] : (ratios[(ratios.Count / 2) - 1] + ratios[ratios.Count / 2]) / 2;
                output.WriteLine(Invariant($"  median marten/file at {clients} client(s): {median:F2}x (lowest {ratios[0]:F2}x, highest {ratios[^1]:F2}x)"));
            }
        }

        output.WriteLine();
        return rounds.SelectMany(r => r.File.Concat(r.Marten)).All(r => r.Failures == 0);
    }

    /// <summary>One 3-node cluster on <paramref name="name"/>'s backend (a schema of its own on Marten), measured and stopped.</summary>
    private static async Task<IReadOnlyList<RunResult>> ClusterRunAsync(string dll, LocalPostgres postgres, string name, string tag, LoadSettings load,
        string value, string run, TextWriter output, CancellationToken cancellationToken)
    {
        var clusterSchema = Invariant($"nodenomad_bench_cluster_{tag}");
        var settings = name == Marten
            ? new Dictionary<string, string> { ["STORAGE"] = "marten", ["MARTEN_CONNECTION"] = postgres.ConnectionString, ["MARTEN_SCHEMA"] = clusterSchema }
            : new Dictionary<string, string> { ["STORAGE"] = "file" };
        try
        {
            if (name == Marten)
            {
                // Nodes starting together on an empty schema race to create Marten's tables (PostgreSQL refuses the
                // second CREATE with a duplicate key in pg_type, and that node exits), so the schema is applied first,
                // as a production deployment would with MartenRaftLog.ApplySchemaAsync.
                await Console.Error.WriteLineAsync($"cluster on {name}: creating the schema {clusterSchema}");
                await MartenRaftLog.ApplySchemaAsync(new MartenRaftLogOptions { ConnectionString = postgres.ConnectionString, SchemaName = clusterSchema, NodeId = "schema" });
            }

            await Console.Error.WriteLineAsync($"cluster on {name}: starting {ClusterNodes} nodes");
            await using var cluster = await LocalCluster.StartAsync(dll, ClusterNodes, cancellationToken, settings);
            var leader = await cluster.WaitForLeaderAsync(LeaderLimit, cancellationToken);
            var target = new NodeNomadTarget(leader.Url);
            var runs = await ClientSweep.MeasureAsync(
                new Workload(Invariant($"cluster-{name}"), keys => LoadRequests.NewKeys([target], keys, value), target, cluster.LeadershipAsync),
                load, run, cancellationToken);
            ResultTable.Write(output, Invariant($"{ClusterNodes}-node cluster, STORAGE={name}: writes to new keys sent to the leader ({leader.NodeId}); fsyncs/s and entries/fsync are the leader's saves ({RepositoryLayout.DescribeBuild(dll)})"), runs);
            return runs;
        }
        finally
        {
            if (name == Marten)
            {
                await postgres.DropSchemaAsync(clusterSchema);
            }
        }
    }

    private static void WriteGroupCommit(TextWriter output, BenchStorageOptions options, IReadOnlyList<StorageRun> runs)
    {
        output.WriteLine(Invariant($"Group commit: N writers, each submitting its next entry once the previous one is durable, to ONE loop that saves whatever is queued (up to {GroupCommitLoop.MaxBatch}) with one SaveAsync; latency per entry, submitted to durable"));
        output.WriteLine("  backend  writers   entries/s     saves/s  entries/save     p50 ms     p99 ms");
        foreach (var r in runs)
        {
            output.WriteLine(Invariant($"{r.Backend,9} {r.Writers,8} {r.EntriesPerSecond,11:F0} {r.SavesPerSecond,11:F0} {r.EntriesPerSave,13:F1} {r.Milliseconds(50),10:F2} {r.Milliseconds(99),10:F2}"));
        }

        output.WriteLine();
        output.WriteLine("Group commit, entries/s, marten / file");
        output.WriteLine("  writers  file entries/s  marten entries/s  marten/file");
        foreach (var writers in options.Writers)
        {
            var file = runs.First(r => r.Backend == File && r.Writers == writers);
            var marten = runs.First(r => r.Backend == Marten && r.Writers == writers);
            output.WriteLine(Invariant($"{writers,9} {file.EntriesPerSecond,15:F0} {marten.EntriesPerSecond,17:F0}  {Ratio(marten.EntriesPerSecond, file.EntriesPerSecond)}"));
        }

        output.WriteLine();
    }

    private static void WriteBatches(TextWriter output, IReadOnlyList<StorageRun> runs)
    {
        output.WriteLine("Fixed batches: one caller, each SaveAsync exactly N entries, the next save after the previous one is durable; latency per save");
        output.WriteLine("  backend  entries/save     saves/s   entries/s     p50 ms     p99 ms");
        foreach (var r in runs)
        {
            output.WriteLine(Invariant($"{r.Backend,9} {r.BatchSize,13} {r.SavesPerSecond,11:F0} {r.EntriesPerSecond,11:F0} {r.Milliseconds(50),10:F2} {r.Milliseconds(99),10:F2}"));
        }

        output.WriteLine();
        output.WriteLine("Fixed batches, entries/s, marten / file");
        output.WriteLine("  entries/save  file entries/s  marten entries/s  marten/file");
        foreach (var size in BatchSizes)
        {
            var file = runs.First(r => r.Backend == File && r.BatchSize == size);
            var marten = runs.First(r => r.Backend == Marten && r.BatchSize == size);
            output.WriteLine(Invariant($"{size,14} {file.EntriesPerSecond,15:F0} {marten.EntriesPerSecond,17:F0}  {Ratio(marten.EntriesPerSecond, file.EntriesPerSecond)}"));
        }

        output.WriteLine();
    }

    private static LongHistogram Merge(IEnumerable<HistogramBase> histograms)
    {
        var merged = new LongHistogram(HighestMicroseconds, SignificantDigits);
        foreach (var histogram in histograms)
        {
            merged.Add(histogram);
        }

        return merged;
    }

    private static string Ratio(double numerator, double denominator) =>
        denominator > 0 ? Invariant($"{numerator / denominator,10:F2}x") : $"{"-",11}";

    private static void Remove(DirectoryInfo folder)
    {
        try
        {
            folder.Delete(recursive: true);
        }
        catch (IOException e)
        {
            Console.Error.WriteLine($"Could not remove the benchmark's folder {folder.FullName}: {e.Message}");
        }
    }

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
