using System.Diagnostics;
using System.Globalization;
using NodeNomad.Load.Reports;
using NodeNomad.Load.Scenarios;
using NodeNomad.Load.Stores;

namespace NodeNomad.Load.Comparison;

/// <summary>
/// The full comparison in one run: NodeNomad on 3 nodes, NodeNomad on 5 nodes and etcd's 3 members, each loaded with
/// the writes and then the reads of <see cref="ComparisonWorkloads"/> (a warm-up, 1, 16 and 64 clients, a fixed rate),
/// then each chaos round on a fresh 3-node cluster. Every run is an ordinary scenario run with its own report folder
/// under the comparison's folder; the comparison's Markdown and charts sum them up beside it.
/// </summary>
internal static class ComparisonRun
{
    /// <summary>NodeNomad's <c>SHARD_COUNT</c> in the measured rows: the launcher's shape.</summary>
    public const int Shards = 8;

    private static readonly StoreUnderTest[] Stores =
    [
        new("nodenomad-3", "NodeNomad, 3 nodes", 3),
        new("nodenomad-5", "NodeNomad, 5 nodes", 5),
        new("etcd", "etcd, 3 members", null),
    ];

    /// <summary>The report's name for a run begun at <paramref name="startedAt"/>: <c>yyyy-MM-dd-comparison</c>.</summary>
    public static string Name(DateTimeOffset startedAt) => string.Create(CultureInfo.InvariantCulture, $"{startedAt.UtcDateTime:yyyy-MM-dd}-comparison");

    public static async Task<ComparisonReport> RunAsync(ComparisonOptions options, string root, TextWriter output, bool live, CancellationToken cancellationToken)
    {
        var clock = Stopwatch.StartNew();
        var startedAt = DateTimeOffset.UtcNow;
        var machine = MachineLoad.Describe();
        var folder = Path.Combine(root, Name(startedAt));
        var phases = ComparisonWorkloads.Sweep(TimeSpan.FromSeconds(options.Seconds), options.Rate);
        using var admin = new HttpClient { Timeout = TimeSpan.FromSeconds(30) };
        await output.WriteLineAsync(Invariant($"compare-report: {Stores.Length} stores × 2 loads, then {ComparisonWorkloads.ChaosRounds.Count} chaos rounds; {options.Seconds} s per row, fixed rate {options.Rate} ops/s, seed {options.Seed}; at the start: {machine}. Reports go to {folder}"));

        var runs = new List<ComparedRun>();
        foreach (var store in Stores)
        {
            var writes = ComparisonWorkloads.Writes(store.Nodes ?? 3, Shards, phases);
            var reads = ComparisonWorkloads.Reads(store.Nodes ?? 3, Shards, phases);
            using var http = StoreHttp.CreateClient(writes.Timeout);
            await output.WriteLineAsync(Invariant($"compare-report: starting {store.Title}"));
            await using IStoreDeployment deployment = store.Nodes is { } nodes
                ? await NodeNomadDeployment.StartAsync(nodes, Shards, http, cancellationToken)
                : await EtcdDeployment.StartAsync(http, cancellationToken);
            foreach (var scenario in new[] { writes, reads })
            {
                var name = $"{store.Key}-{scenario.Name}";
                var report = await ScenarioRunner.RunAsync(scenario, deployment, admin, LoadProfile.Full, options.Seed, Path.Combine(folder, name), output, live, cancellationToken);
                runs.Add(new ComparedRun(store.Title, store.Nodes is null, scenario.Name, name, report));
            }
        }

        var rounds = new List<RoundResult>();
        foreach (var round in ComparisonWorkloads.ChaosRounds)
        {
            var scenario = ComparisonWorkloads.Round(round);
            using var http = StoreHttp.CreateClient(scenario.Timeout);
            await output.WriteLineAsync(Invariant($"compare-report: chaos round {round.Key} ({round.Kind}): starting {scenario.Nodes} nodes"));
            await using var deployment = await NodeNomadDeployment.StartAsync(scenario.Nodes, scenario.Shards, http, cancellationToken, ownUsers: NodeUser.CanCreate);
            var notDone = round.Fault.Unsupported(deployment);
            var name = scenario.Name;
            var report = await ScenarioRunner.RunAsync(scenario, deployment, admin, LoadProfile.Ci, options.Seed, Path.Combine(folder, name), output, live, cancellationToken);
            rounds.Add(new RoundResult(round, notDone, name, report));
        }

        var comparison = new ComparisonReport(startedAt, options.CommandLine(), machine, options.Seconds, options.Rate, options.Seed, clock.Elapsed.TotalSeconds, runs, rounds);
        ComparisonChart.Write(comparison, folder);
        var markdown = ComparisonMarkdown.Write(comparison, root, Name(startedAt));
        await output.WriteLineAsync();
        await output.WriteAsync(ComparisonMarkdown.Tables(comparison));
        await output.WriteLineAsync(Invariant($"compare-report: {(comparison.Sound ? "sound" : "NOT SOUND")}, {comparison.Seconds / 60:F1} min; report in {markdown}"));
        return comparison;
    }

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);

    /// <param name="Nodes">NodeNomad's node count, or null for etcd.</param>
    private sealed record StoreUnderTest(string Key, string Title, int? Nodes);
}
