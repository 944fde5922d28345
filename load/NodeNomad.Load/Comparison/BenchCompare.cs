using System.Diagnostics;
using System.Globalization;
using System.Text;
using NodeNomad.Load.Reports;
using NodeNomad.Load.Scenarios;
using NodeNomad.Load.Stores;

namespace NodeNomad.Load.Comparison;

/// <summary>
/// <c>bench-compare</c>: etcd's 3 members, then NodeNomad on 3 nodes × 1 shard, 3 nodes × 8 shards and 5 nodes × 8
/// shards, each loaded through one member's HTTP API (node-1's REST API, which forwards what another node leads;
/// etcd's first member's JSON gateway) with the writes and reads of <see cref="ComparisonWorkloads"/>: 64 connections
/// for writes and for reads, 1 connection for writes, then writes and reads at a fixed arrival rate of half the
/// maximum just measured. Prints one table, a row per cluster, and the ratios the performance goals are judged by.
/// </summary>
internal static class BenchCompare
{
    private const int Connections = 64;
    private const int Seed = 15;
    private const double WantedScaleOut = 0.8;
    private const double WantedWritesOverEtcd = 2;
    private const double WantedReadsOverEtcd = 3;
    private const double WantedHalfRateP99Ms = 10;

    private static readonly TimeSpan WarmUp = TimeSpan.FromSeconds(1);

    private static readonly TimeSpan WarmUpChunk = TimeSpan.FromSeconds(5);

    private static readonly TimeSpan MostWarmUp = TimeSpan.FromSeconds(180);

    // The members together spend under a twentieth of the time compiling: what is left is cold paths.
    private const double SettledJitShare = 0.05;

    private static readonly Cluster[] Clusters =
    [
        new("etcd, 3 members", Nodes: null, Shards: 0),
        new("NodeNomad, 3 nodes × 1 shard", 3, 1),
        new("NodeNomad, 3 nodes × 8 shards", 3, 8),
        new("NodeNomad, 5 nodes × 8 shards", 5, 8),
    ];

    /// <summary>Measures every cluster and prints the table; false when an operation failed (the table says which).</summary>
    public static async Task<bool> RunAsync(BenchCompareOptions options, TextWriter output, CancellationToken cancellationToken)
    {
        var clusters = Clusters.Where(c => options.Shapes is null || options.Shapes.Contains(c.Shape.Replace('×', 'x'))).ToList();
        await output.WriteLineAsync(Invariant($"bench-compare: {string.Join("; ", clusters.Select(c => c.Title))}; all on 127.0.0.1, started by this program ({RepositoryLayout.DescribeBuild(RepositoryLayout.Find().RequireNodeDll())})."));
        await output.WriteLineAsync(Invariant($"Through one member's HTTP API: NodeNomad's node-1 (which forwards), etcd's first member's JSON gateway. {options.Seconds} s per figure after a warm-up of writes at {Connections} connections, not counted: {options.WarmUpSeconds} s, and on NodeNomad then until its nodes stop compiling (at most {MostWarmUp.TotalSeconds:0} s); {ComparisonWorkloads.ValueBytes}-byte values, a new key per write; linearizable reads of {ComparisonWorkloads.ReadKeys:N0} keys written first."));
        await output.WriteLineAsync(Invariant($"Load and clusters share this machine; at the start: {MachineLoad.Describe()}."));
        await output.WriteLineAsync();

        var rows = new List<Row>();
        foreach (var cluster in clusters)
        {
            rows.Add(await MeasureAsync(cluster, TimeSpan.FromSeconds(options.Seconds), TimeSpan.FromSeconds(options.WarmUpSeconds), options.MetricsOut, cancellationToken));
        }

        await output.WriteAsync(Table(rows));
        await output.WriteLineAsync(Invariant($"Machine when done: {MachineLoad.Describe()}. Compare rows of one invocation."));
        return rows.All(r => r.Errors == 0);
    }

    /// <summary>The table, the fixed-rate figures, the ratios judged, and any errors.</summary>
    public static string Table(IReadOnlyList<Row> rows)
    {
        var text = new StringBuilder();
        Line(text, $"{"cluster",-32} {"writes/s",9} {"write p99",10} {"reads/s",9} {"read p99",10} {"writes/s, 1 conn",17}   {"half-max writes: p99",22} {"half-max reads: p99",22}");
        foreach (var r in rows)
        {
            Line(text, $"{r.Cluster.Title,-32} {r.Writes.OperationsPerSecond,9:F0} {Ms(r.Writes.Latency.P99),10} {r.Reads.OperationsPerSecond,9:F0} {Ms(r.Reads.Latency.P99),10} {r.OneConnection.OperationsPerSecond,17:F0}   {AtRate(r.HalfWrites),22} {AtRate(r.HalfReads),22}");
        }

        Line(text, $"");
        Line(text, $"writes/s, reads/s and their p99 at {Connections} connections (closed loop, latency from the send); half-max: an open loop at half that row's measured writes/s or reads/s, latency from when each operation was due.");
        Line(text, $"Warm-up (writes at {Connections} connections before the figures): {string.Join("; ", rows.Select(r => $"{r.Cluster.Shape} {r.WarmedUp}"))}.");
        foreach (var r in rows.Where(r => r.Cores.Count >= 2))
        {
            Line(text, $"Cores used by each process, {r.Cluster.Shape}: writes at {Connections} connections: {r.Cores[0]}; reads: {r.Cores[1]}.");
        }

        var elected = rows.Where(r => r.Elections.Count > 0 && r.Elections.All(e => e is not null)).ToList();
        if (elected.Count > 0)
        {
            Line(text, $"Leaders elected during each figure (writes, reads, writes at 1 connection, half-max writes, half-max reads): {string.Join("; ", elected.Select(r => $"{r.Cluster.Shape} {string.Join("/", r.Elections.Select(e => e!.Value.ToString("0", CultureInfo.InvariantCulture)))}"))}.");
        }

        var etcd = rows.FirstOrDefault(r => r.Cluster.Nodes is null);
        var three = rows.FirstOrDefault(r => r.Cluster is { Nodes: 3, Shards: 8 });
        var five = rows.FirstOrDefault(r => r.Cluster is { Nodes: 5, Shards: 8 });
        Line(text, $"");
        Line(text, $"Judged (wanted):");
        if (five is not null && three is not null)
        {
            Judge(text, "5×8 ÷ 3×8, writes/s", five.Writes.OperationsPerSecond, three.Writes.OperationsPerSecond, WantedScaleOut, atLeast: true);
            Judge(text, "5×8 ÷ 3×8, reads/s", five.Reads.OperationsPerSecond, three.Reads.OperationsPerSecond, WantedScaleOut, atLeast: true);
        }

        if (five is not null && etcd is not null)
        {
            Judge(text, "5×8 ÷ etcd, writes/s", five.Writes.OperationsPerSecond, etcd.Writes.OperationsPerSecond, WantedWritesOverEtcd, atLeast: true);
            Judge(text, "5×8 ÷ etcd, reads/s", five.Reads.OperationsPerSecond, etcd.Reads.OperationsPerSecond, WantedReadsOverEtcd, atLeast: true);
        }

        foreach (var r in rows.Where(r => r.Cluster.Nodes is not null))
        {
            if (etcd is not null)
            {
                Judge(text, $"{r.Cluster.Shape} write p99 ÷ etcd's", r.Writes.Latency.P99, etcd.Writes.Latency.P99, 1, atLeast: false);
            }

            var worst = Math.Max(r.HalfWrites.Latency.P99, r.HalfReads.Latency.P99);
            Line(text, $"  {r.Cluster.Shape + " single-key p99 at half the maximum",-46} {worst,8:F2} ms   (under {WantedHalfRateP99Ms:0} ms: {(worst < WantedHalfRateP99Ms ? "met" : "NOT met")})");
        }

        foreach (var r in rows.Where(r => r.Errors > 0))
        {
            Line(text, $"{r.Cluster.Title}: {r.Errors} operations failed; for example: {string.Join(" | ", r.ErrorSamples.Take(3))}");
        }

        return text.ToString();
    }

    private static async Task<Row> MeasureAsync(Cluster cluster, TimeSpan perFigure, TimeSpan warmUp, string? metricsOut, CancellationToken cancellationToken)
    {
        var nodes = cluster.Nodes ?? 3;
        var writes = ComparisonWorkloads.Writes(nodes, cluster.Shards, []);
        var reads = ComparisonWorkloads.Reads(nodes, cluster.Shards, []);
        using var http = StoreHttp.CreateClient(writes.Timeout);
        await Console.Error.WriteLineAsync($"{cluster.Title}: starting");
        await using IStoreDeployment deployment = cluster.Nodes is { } count
            ? await NodeNomadDeployment.StartAsync(count, cluster.Shards, http, cancellationToken)
            : await EtcdDeployment.StartAsync(http, cancellationToken);
        IKeyValueStore store = cluster.Nodes is null
            ? new EtcdStore(http, [deployment.Members[0].Url])
            : NodeNomadStore.ThroughOneNode(http, deployment.Members[0].Url);
        var run = Guid.NewGuid().ToString("N")[..8];
        var readKeys = $"load/bench-compare/{run}/reads";
        var preload = await ScenarioRunner.PreloadAsync(new ScenarioWorkload(reads with { Phases = [Closed(WarmUp, 1)] }, store, Seed, readKeys), ComparisonWorkloads.ReadKeys, cancellationToken);
        if (preload.Failed > 0)
        {
            throw new BenchSetupException(Invariant($"{cluster.Title}: {preload.Failed} of the {ComparisonWorkloads.ReadKeys} keys to read could not be written"));
        }

        var errors = new List<string>();
        var elections = new List<double?>();
        var cores = new List<string>();
        async Task<PhaseReport> MeasureAsync(Scenario scenario, LoadPhase phase, string prefix)
        {
            await Console.Error.WriteLineAsync(Invariant($"{cluster.Title}: {scenario.Name}, {phase.Shape.Describe()}, {phase.Duration.TotalSeconds:0} s"));
            var workload = new ScenarioWorkload(scenario with { Phases = [phase] }, store, Seed, prefix);
            var recorder = new RunRecorder(Stopwatch.GetTimestamp());
            var before = cluster.Nodes is null ? null : await ScrapeAsync(deployment, http, cancellationToken);
            var ownBefore = Process.GetCurrentProcess().TotalProcessorTime;
            var started = Stopwatch.GetTimestamp();
            await PhaseRunner.RunAsync(phase, workload.NextAsync, recorder, cancellationToken);
            var seconds = Stopwatch.GetElapsedTime(started).TotalSeconds;
            var own = (Process.GetCurrentProcess().TotalProcessorTime - ownBefore).TotalSeconds;
            var after = cluster.Nodes is null ? null : await ScrapeAsync(deployment, http, cancellationToken);
            elections.Add(after?.Sum(m => ElectionsWon(m.Text) ?? 0) - before?.Sum(m => ElectionsWon(m.Text) ?? 0));
            if (before is not null && after is not null)
            {
                cores.Add(string.Join(" ", after.Select((m, i) => Invariant($"{m.Id} {(CpuSeconds(m.Text) - CpuSeconds(before[i].Text)) / seconds:F2}"))) + Invariant($", load {own / seconds:F2}"));
                if (metricsOut is not null)
                {
                    var kept = Path.Combine(metricsOut, FileName(Invariant($"{cluster.Shape.Replace('×', 'x')}-{elections.Count:00}-{scenario.Name}-{phase.Shape.Describe()}")));
                    Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(kept))!);
                    foreach (var (id, text) in after)
                    {
                        await File.WriteAllTextAsync(Invariant($"{kept}-{id}.prom"), text, cancellationToken);
                    }
                }
            }

            errors.AddRange(recorder.ErrorSamples());
            return recorder.PhaseReports()[0];
        }

        var chunks = 0;
        var warmed = await WarmUpAsync(cluster, deployment, http, warmUp, chunk => MeasureAsync(writes, Closed(chunk, Connections), Invariant($"load/bench-compare/{run}/warm-up-{++chunks}")), cancellationToken);
        elections.Clear();
        cores.Clear();
        var many = await MeasureAsync(writes, Closed(perFigure, Connections), $"load/bench-compare/{run}/writes-{Connections}");
        var readMany = await MeasureAsync(reads, Closed(perFigure, Connections), readKeys);
        var one = await MeasureAsync(writes, Closed(perFigure, 1), $"load/bench-compare/{run}/writes-1");
        var halfWrites = await MeasureAsync(writes, HalfOf(many, perFigure), $"load/bench-compare/{run}/writes-half");
        var halfReads = await MeasureAsync(reads, HalfOf(readMany, perFigure), readKeys);
        var failed = new[] { many, readMany, one, halfWrites, halfReads }.Sum(p => p.Errors.Total + p.NotSent);
        return new Row(cluster, many, readMany, one, halfWrites, halfReads, failed, errors, warmed) { Elections = elections, Cores = cores };
    }

    /// <summary>
    /// Writes at 64 connections for at least <paramref name="least"/>, then, on NodeNomad, in chunks of
    /// <see cref="WarmUpChunk"/> until the nodes stop compiling: until their JIT time (<c>dotnet_jit_compilation_time_seconds_total</c>,
    /// summed over the members) grew by less than <see cref="SettledJitShare"/> of the chunk's length, at most
    /// <see cref="MostWarmUp"/>. Several nodes on few cores compile their hot code again, optimized, for a minute or
    /// more under load; a fixed warm-up measured the 5-node cluster half compiled. Returns how long it took and why it ended.
    /// </summary>
    private static async Task<string> WarmUpAsync(Cluster cluster, IStoreDeployment deployment, HttpClient http, TimeSpan least, Func<TimeSpan, Task<PhaseReport>> write, CancellationToken cancellationToken)
    {
        var started = Stopwatch.GetTimestamp();
        await write(least);
        if (cluster.Nodes is null)
        {
            return Invariant($"{least.TotalSeconds:0} s");
        }

        var before = await JitSecondsAsync(deployment, http, cancellationToken);
        while (true)
        {
            var elapsed = Stopwatch.GetElapsedTime(started);
            if (elapsed >= MostWarmUp)
            {
                return Invariant($"{elapsed.TotalSeconds:0} s, still compiling (limit)");
            }

            await write(WarmUpChunk);
            var after = await JitSecondsAsync(deployment, http, cancellationToken);
            if (before is not null && after is not null && after - before < SettledJitShare * WarmUpChunk.TotalSeconds)
            {
                return Invariant($"{Stopwatch.GetElapsedTime(started).TotalSeconds:0} s, compiled ({after - before:F2} s of JIT in the last {WarmUpChunk.TotalSeconds:0} s)");
            }

            before = after;
        }
    }

    /// <summary>The members' JIT time summed, from their <c>/metrics</c>; null when a member did not answer.</summary>
    private static async Task<double?> JitSecondsAsync(IStoreDeployment deployment, HttpClient http, CancellationToken cancellationToken) =>
        (await ScrapeAsync(deployment, http, cancellationToken))?.Sum(m => JitSeconds(m.Text) ?? 0);

    /// <summary>Each member's <c>/metrics</c> text, in the members' order; null when a member did not answer.</summary>
    private static async Task<IReadOnlyList<(string Id, string Text)>?> ScrapeAsync(IStoreDeployment deployment, HttpClient http, CancellationToken cancellationToken)
    {
        var scraped = new List<(string, string)>();
        foreach (var (id, url) in deployment.Members)
        {
            try
            {
                scraped.Add((id, await http.GetStringAsync(new Uri(url, "metrics"), cancellationToken)));
            }
            catch (HttpRequestException)
            {
                return null;
            }
        }

        return scraped;
    }

    /// <summary><paramref name="text"/> with every run of characters other than letters, digits and dots as one dash.</summary>
    internal static string FileName(string text) =>
        System.Text.RegularExpressions.Regex.Replace(text, "[^A-Za-z0-9.]+", "-").Trim('-');

    /// <summary>A node's process CPU seconds so far (user and system) in Prometheus text, 0 when absent.</summary>
    internal static double CpuSeconds(string prometheus) => SeriesTotal(prometheus, "dotnet_process_cpu_time_seconds_total", label: null) ?? 0;

    /// <summary>The value of <c>dotnet_jit_compilation_time_seconds_total</c> in Prometheus text, or null when absent.</summary>
    internal static double? JitSeconds(string prometheus) => SeriesTotal(prometheus, "dotnet_jit_compilation_time_seconds_total", label: null);

    /// <summary>The elections a node won (<c>nodenomad_raft_role_changes_total{role="leader"}</c>), or null when absent.</summary>
    internal static double? ElectionsWon(string prometheus) => SeriesTotal(prometheus, "nodenomad_raft_role_changes_total", "role=\"leader\"");

    /// <summary>
    /// The sum of the series <paramref name="name"/> in Prometheus text over its lines that carry <paramref name="label"/>
    /// (every line when null), or null when no line does.
    /// </summary>
    internal static double? SeriesTotal(string prometheus, string name, string? label)
    {
        double? total = null;
        foreach (var line in prometheus.Split('\n'))
        {
            // name{labels} value [timestamp]
            if (line.StartsWith(name, StringComparison.Ordinal)
                && line.Length > name.Length && line[name.Length] is '{' or ' '
                && (label is null || line.Contains(label, StringComparison.Ordinal))
                && line[(line.IndexOf('}', StringComparison.Ordinal) is var brace and >= 0 ? brace + 1 : name.Length)..]
                    .Split(' ', StringSplitOptions.RemoveEmptyEntries) is [var value, ..]
                && double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out var figure))
            {
                total = (total ?? 0) + figure;
            }
        }

        return total;
    }

    private static LoadPhase Closed(TimeSpan duration, int clients) => new(Invariant($"{clients} connections"), duration, new ClosedLoad(clients));

    private static LoadPhase HalfOf(PhaseReport measured, TimeSpan duration)
    {
        var rate = Math.Max(1, Math.Round(measured.OperationsPerSecond / 2));
        return new LoadPhase("half the maximum", duration, new OpenLoad(rate, rate, ComparisonWorkloads.OpenSenders));
    }

    private static void Judge(StringBuilder text, string what, double mine, double theirs, double wanted, bool atLeast)
    {
        if (theirs <= 0)
        {
            Line(text, $"  {what,-46} {"-",8}    (nothing to divide by)");
            return;
        }

        var ratio = mine / theirs;
        var met = atLeast ? ratio >= wanted : ratio <= wanted;
        Line(text, $"  {what,-46} {ratio,8:F2}x   ({(atLeast ? "at least" : "at most")} {wanted:0.0#}x: {(met ? "met" : "NOT met")})");
    }

    private static string Ms(double milliseconds) => Invariant($"{milliseconds:F1} ms");

    private static string AtRate(PhaseReport phase) => Invariant($"{phase.Latency.P99:F1} ms at {phase.OperationsPerSecond:F0}/s");

    private static void Line(StringBuilder text, FormattableString line) => text.Append(line.ToString(CultureInfo.InvariantCulture)).Append('\n');

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);

    /// <param name="Nodes">NodeNomad's nodes, or null for etcd.</param>
    internal sealed record Cluster(string Title, int? Nodes, int Shards)
    {
        public string Shape => Nodes is null ? "etcd" : Invariant($"{Nodes}×{Shards}");
    }

    /// <summary>One cluster's figures.</summary>
    /// <param name="Errors">Operations that failed or were never sent, over every measured figure.</param>
    /// <param name="WarmedUp">How long the warm-up took and why it ended.</param>
    internal sealed record Row(Cluster Cluster, PhaseReport Writes, PhaseReport Reads, PhaseReport OneConnection, PhaseReport HalfWrites, PhaseReport HalfReads,
        long Errors, IReadOnlyList<string> ErrorSamples, string WarmedUp = "")
    {
        /// <summary>
        /// Elections the nodes won during each figure, in the table's order (null for etcd, or when a node did not
        /// answer): a leader elected under load means writes waited for it, which shows in that figure's tail.
        /// </summary>
        public IReadOnlyList<double?> Elections { get; init; } = [];

        /// <summary>
        /// The cores each node and this program used during each figure, in the table's order (empty for etcd, or when
        /// a node did not answer): where the machine's CPU went.
        /// </summary>
        public IReadOnlyList<string> Cores { get; init; } = [];
    }
}
