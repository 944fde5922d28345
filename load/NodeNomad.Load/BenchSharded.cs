using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Json;
using System.Text.Json;
using NodeNomad.Client;
using NodeNomad.Contracts;

namespace NodeNomad.Load;

/// <summary>
/// <c>bench-sharded</c>: a 5-node cluster cut into 8 shards (replication 3) beside a 3-node single group (1 shard,
/// replication 3): writes and linearizable reads through the shard-aware client (each key straight to its shard's
/// leader), and the same through node-1's REST API (which forwards to the leader); prints each row's figures and the
/// ratio to the single group's.
/// </summary>
internal static class BenchSharded
{
    private const int ReadKeys = 1000;
    private const int FillClients = 16;
    private static readonly TimeSpan FillLimit = TimeSpan.FromSeconds(120);
    private static readonly TimeSpan ShardLeaderLimit = TimeSpan.FromSeconds(60);
    private static readonly JsonSerializerOptions Web = new(JsonSerializerDefaults.Web);

    private static readonly string[] Workloads = ["writes, smart client", "reads, smart client", "writes via node-1", "reads via node-1"];

    /// <summary>Runs the benchmark and prints the table; false when any operation failed.</summary>
    public static async Task<bool> RunAsync(BenchShardedOptions options, TextWriter output, CancellationToken cancellationToken)
    {
        var dll = RepositoryLayout.Find().RequireNodeDll();
        var load = options.Load;
        output.WriteLine(Invariant($"bench-sharded: a 5-node cluster (SHARD_COUNT=8, REPLICATION_FACTOR=3) beside a 3-node single group (SHARD_COUNT=1, REPLICATION_FACTOR=3), started by this program on 127.0.0.1 ({RepositoryLayout.DescribeBuild(dll)})."));
        output.WriteLine(Invariant($"{load.Seconds} s per row after a {ClientSweep.WarmUp.TotalSeconds} s warm-up, clients {string.Join(",", load.Clients)}, {load.ValueBytes}-byte values, at most {load.MaxRequests} operations per row. Reads are linearizable."));
        output.WriteLine(Invariant($"Load and nodes share this machine; at the start: {MachineLoad.Describe()}."));
        output.WriteLine();

        var sharded = await MeasureAsync("5 nodes, 8 shards", nodes: 5, shards: 8, load, cancellationToken);
        var single = await MeasureAsync("3 nodes, 1 group", nodes: 3, shards: 1, load, cancellationToken);

        output.WriteLine(Invariant($"{"",-22} {"",7}   {sharded.Title + $" (reports {sharded.ReportedShards})",-34}   {single.Title + $" (reports {single.ReportedShards})",-34}   sharded / single"));
        output.WriteLine(Invariant($"{"workload",-22} {"clients",7}   {"ops/s",10} {"p50 ms",10} {"p99 ms",10}     {"ops/s",10} {"p50 ms",10} {"p99 ms",10}     {"ops/s",7} {"p50",7} {"p99",7}"));
        foreach (var ((name, mine), (_, theirs)) in sharded.Rows.Zip(single.Rows))
        {
            output.WriteLine(Invariant($"{name,-22} {mine.Clients,7}   {mine.OperationsPerSecond,10:F0} {mine.Milliseconds(50),10:F2} {mine.Milliseconds(99),10:F2}     {theirs.OperationsPerSecond,10:F0} {theirs.Milliseconds(50),10:F2} {theirs.Milliseconds(99),10:F2}     {Ratio(mine.OperationsPerSecond, theirs.OperationsPerSecond)} {Ratio(mine.Milliseconds(50), theirs.Milliseconds(50))} {Ratio(mine.Milliseconds(99), theirs.Milliseconds(99))}"));
        }

        ResultTable.WriteNotes(output, sharded.Rows.Select(r => r.Result), "operations", "5 nodes/8 shards, ");
        ResultTable.WriteNotes(output, single.Rows.Select(r => r.Result), "operations", "3 nodes/1 group, ");
        if (sharded.ReportedShards < 8)
        {
            output.WriteLine(Invariant($"Note: the 5-node cluster reported {sharded.ReportedShards} shard(s); a node that ignores SHARD_COUNT runs one group, so the rows compare cluster sizes, not sharding."));
        }

        output.WriteLine(Invariant($"Machine when done: {MachineLoad.Describe()}. Compare rows of one invocation."));
        return sharded.Rows.Concat(single.Rows).All(r => r.Result.Failures == 0);
    }

    private static async Task<Measured> MeasureAsync(string title, int nodes, int shards, LoadSettings load, CancellationToken cancellationToken)
    {
        var settings = new Dictionary<string, string>
        {
            ["SHARD_COUNT"] = Invariant($"{shards}"),
            ["REPLICATION_FACTOR"] = "3",
        };
        await Console.Error.WriteLineAsync($"{title}: starting");
        await using var cluster = await LocalCluster.StartAsync(RepositoryLayout.Find().RequireNodeDll(), nodes, cancellationToken, settings);
        var run = Guid.NewGuid().ToString("N")[..8];
        var value = load.MakeValue();
        var node1 = cluster.Nodes[0].Url;
        var rows = new List<(string Name, RunResult Result)>();
        var reported = 0;
        foreach (var clients in load.Clients)
        {
            using var http = ClosedLoop.CreateHttpClient(clients);
            var options = new NodeNomadClusterClientOptions();
            foreach (var node in cluster.Nodes)
            {
                options.Seeds.Add(node.Url);
            }

            var smart = new NodeNomadClusterClient(http, options);
            reported = await WaitForShardLeadersAsync(smart, cancellationToken);
            var keys = Invariant($"load/{run}/{clients}/read");
            var filled = await OperationLoop.RunAsync(FillClients, FillLimit, ReadKeys,
                (_, _, ticket, ct) => smart.SetAsync(Invariant($"{keys}/{ticket - 1}"), value, cancellationToken: ct), cancellationToken);
            if (filled.Operations != ReadKeys)
            {
                throw new BenchSetupException(Invariant($"{title}: only {filled.Operations} of {ReadKeys} keys were written; the first failure: {filled.FirstFailure ?? "none"}"));
            }

            var set = new Uri(node1, "api/v1/set");
            Operation[] operations =
            [
                (client, sequence, _, ct) => smart.SetAsync(Invariant($"load/{run}/{clients}/smart/{client}/{sequence}"), value, cancellationToken: ct),
                (_, _, ticket, ct) => smart.GetAsync(Invariant($"{keys}/{ticket % ReadKeys}"), ct),
                async (client, sequence, _, ct) =>
                {
                    using var response = await http.PostAsJsonAsync(set, new SetRequest(Invariant($"load/{run}/{clients}/rest/{client}/{sequence}"), value), Web, ct);
                    response.EnsureSuccessStatusCode();
                },
                async (_, _, ticket, ct) =>
                {
                    using var response = await http.GetAsync(new Uri(node1, Invariant($"api/v1/get/{Uri.EscapeDataString($"{keys}/{ticket % ReadKeys}")}?consistency=linearizable")), ct);
                    response.EnsureSuccessStatusCode();
                },
            ];
            for (var i = 0; i < operations.Length; i++)
            {
                await Console.Error.WriteLineAsync(Invariant($"{title}: {Workloads[i]}, {clients} clients: warming up, then {load.Seconds} s"));
                await OperationLoop.RunAsync(clients, ClientSweep.WarmUp, load.MaxRequests, operations[i], cancellationToken);
                rows.Add((Workloads[i], await OperationLoop.RunAsync(clients, load.Duration, load.MaxRequests, operations[i], cancellationToken)));
            }
        }

        return new Measured(title, reported, rows);
    }

    /// <summary>Waits until the map names a leader for every shard; returns how many shards the cluster reports.</summary>
    private static async Task<int> WaitForShardLeadersAsync(NodeNomadClusterClient client, CancellationToken cancellationToken)
    {
        var started = Stopwatch.GetTimestamp();
        var seen = "no map yet";
        while (Stopwatch.GetElapsedTime(started) < ShardLeaderLimit)
        {
            try
            {
                var map = await client.RefreshShardMapAsync(cancellationToken);
                if (map.Shards.Count > 0 && map.Shards.All(s => s.LeaderId is not null))
                {
                    return map.Shards.Count;
                }

                seen = Invariant($"{map.Shards.Count(s => s.LeaderId is null)} of {map.Shards.Count} shards without a leader");
            }
            catch (ClusterUnavailableException e)
            {
                seen = e.Message;
            }

            await Task.Delay(200, cancellationToken);
        }

        throw new BenchSetupException($"not every shard had a leader within {ShardLeaderLimit.TotalSeconds} s: {seen}");
    }

    private static string Ratio(double mine, double theirs) => theirs > 0 ? Invariant($"{mine / theirs,6:F2}x") : $"{"-",7}";

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);

    private sealed record Measured(string Title, int ReportedShards, IReadOnlyList<(string Name, RunResult Result)> Rows);
}
