using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.RegularExpressions;
using NodeNomad.Contracts;
using NodeNomad.Testing;

namespace NodeNomad.Node.Tests;

/// <summary>
/// Stateless nodes: three real node processes keep their Raft logs in PostgreSQL (<c>STORAGE=marten</c>). The
/// leader is killed with SIGKILL under concurrent writers, the cluster keeps serving, and a new process for the
/// same node id starts in a new empty folder (a new host): it rebuilds from PostgreSQL, rejoins, catches up, and
/// every acknowledged write is readable from every node, including from the rebuilt node's own replica.
/// </summary>
[Collection(LocalClusters.Name)]
public sealed partial class MartenClusterTests(PostgresServer postgres, ITestOutputHelper output) : IClassFixture<PostgresServer>
{
    private const int Clients = 8;
    private const int WritesWhileDown = 400;

    [Fact]
    public async Task with_auto_create_off_the_schema_is_applied_by_the_apply_schema_command_first()
    {
        var environment = new Dictionary<string, string>
        {
            ["STORAGE"] = "marten",
            ["MARTEN_CONNECTION"] = postgres.ConnectionString,
            ["MARTEN_SCHEMA"] = $"nn_apply_{Guid.NewGuid():N}"[..20],
            ["MARTEN_AUTO_CREATE"] = "false",
        };
        await using (var apply = await NodeProcess.StartAsync(environment: environment, waitReady: false, arguments: "apply-schema"))
        {
            (await apply.WaitForExitAsync(TimeSpan.FromSeconds(60))).ShouldBe(0, apply.Output);
            apply.Output.ShouldContain("is up to date");
        }

        await using var node = await NodeProcess.StartAsync(environment: environment);
        using var http = new HttpClient { BaseAddress = node.BaseAddress };
        (await http.PostAsJsonAsync("/api/v1/set", new SetRequest("applied", "schema"))).StatusCode.ShouldBe(HttpStatusCode.OK);
    }

    [Fact]
    public async Task with_auto_create_off_a_schema_never_applied_stops_the_node_with_the_command_to_run()
    {
        var environment = new Dictionary<string, string>
        {
            ["STORAGE"] = "marten",
            ["MARTEN_CONNECTION"] = postgres.ConnectionString,
            ["MARTEN_SCHEMA"] = $"nn_missing_{Guid.NewGuid():N}"[..22],
            ["MARTEN_AUTO_CREATE"] = "false",
        };
        await using var node = await NodeProcess.StartAsync(environment: environment, waitReady: false);
        (await node.WaitForExitAsync(TimeSpan.FromSeconds(60))).ShouldBe(5, node.Output);
        node.Output.ShouldContain("apply-schema");
    }

    [Fact]
    public async Task a_killed_node_restarted_on_an_empty_host_rebuilds_from_postgres_and_no_acknowledged_write_is_lost()
    {
        var clock = Stopwatch.StartNew();
        var schema = $"nn_cluster_{Guid.NewGuid():N}"[..24];
        await using var cluster = await LocalCluster.StartAsync(3, new Dictionary<string, string>
        {
            ["STORAGE"] = "marten",
            ["MARTEN_CONNECTION"] = postgres.ConnectionString,
            ["MARTEN_SCHEMA"] = schema,
            ["SNAPSHOT_ENTRIES"] = "100",
            ["SHARD_COUNT"] = "8",
        });
        var leader = await cluster.WaitForLeaderAsync(TimeSpan.FromSeconds(20));
        output.WriteLine($"{clock.Elapsed.TotalSeconds:F2}s: cluster up on schema {schema}, leader {leader.NodeId}");

        var acknowledged = new ConcurrentDictionary<string, string>();
        using var stop = new CancellationTokenSource();
        var clients = Enumerable.Range(0, Clients).Select(c => Task.Run(() => RunClientAsync(c, cluster, acknowledged, stop.Token))).ToArray();
        try
        {
            await Task.Delay(1500);
            var killedDir = leader.DataDir;
            leader.Kill();
            var ackedAtKill = acknowledged.Count;
            output.WriteLine($"{clock.Elapsed.TotalSeconds:F2}s: SIGKILLed {leader.NodeId} after {ackedAtKill} acknowledged writes");

            var successor = await cluster.WaitForLeaderAsync(TimeSpan.FromSeconds(10), not: leader.NodeId);
            output.WriteLine($"{clock.Elapsed.TotalSeconds:F2}s: new leader {successor.NodeId}");

            // The cluster keeps serving while the node is gone: enough writes for the survivors to snapshot and compact (SNAPSHOT_ENTRIES is 100).
            var deadline = DateTime.UtcNow.AddSeconds(15);
            while (acknowledged.Count < ackedAtKill + WritesWhileDown && DateTime.UtcNow < deadline)
            {
                await Task.Delay(50);
            }

            var whileDown = acknowledged.Count - ackedAtKill;
            output.WriteLine($"{clock.Elapsed.TotalSeconds:F2}s: {whileDown} writes acknowledged while {leader.NodeId} was down");
            whileDown.ShouldBeGreaterThanOrEqualTo(WritesWhileDown, "the cluster kept serving writes while a node was down");

            // A new host: a new process with the same id and ports, in a new empty working directory and data folder.
            var rebuilt = await cluster.ReplaceAsync(leader);
            rebuilt.NodeId.ShouldBe(leader.NodeId);
            rebuilt.DataDir.ShouldNotBe(killedDir);
            Directory.Exists(killedDir).ShouldBeFalse("the old host's folder is gone");
            output.WriteLine($"{clock.Elapsed.TotalSeconds:F2}s: {rebuilt.NodeId} started afresh in {rebuilt.DataDir}, ready");

            var recovered = RecoveredLine().Match(rebuilt.Output);
            recovered.Success.ShouldBeTrue($"the rebuilt node logs its recovery. Output:\n{rebuilt.Output}");
            output.WriteLine($"rebuilt node: {recovered.Value}");
            long.Parse(recovered.Groups["last"].Value, CultureInfo.InvariantCulture).ShouldBeGreaterThan(0, "the log came back from PostgreSQL, not empty");

            var current = await cluster.WaitForLeaderAsync(TimeSpan.FromSeconds(10));
            await WaitCaughtUpAsync(cluster, current, slack: 5, TimeSpan.FromSeconds(20));
            output.WriteLine($"{clock.Elapsed.TotalSeconds:F2}s: {rebuilt.NodeId} rejoined and caught up (leader {current.NodeId})");
            await Task.Delay(500);
        }
        finally
        {
            await stop.CancelAsync();
            await Task.WhenAll(clients);
        }

        var node = cluster.Nodes.Single(n => n.NodeId == leader.NodeId);
        output.WriteLine($"{acknowledged.Count} acknowledged writes; installed a snapshot from the leader: {node.Output.Contains("Installed a snapshot of group 1 from the leader", StringComparison.Ordinal)}");

        // Everything committed is applied everywhere before the stale reads.
        var finalLeader = await cluster.WaitForLeaderAsync(TimeSpan.FromSeconds(10));
        await WaitCaughtUpAsync(cluster, finalLeader, slack: 0, TimeSpan.FromSeconds(20));

        using (var http = new HttpClient { BaseAddress = node.BaseAddress })
        {
            var health = await http.GetStringAsync(new Uri("/health/ready", UriKind.Relative));
            health.ShouldContain("Log in PostgreSQL");
        }

        foreach (var n in cluster.Nodes)
        {
            await ReadAllAsync(n, acknowledged, stale: false);
        }

        await ReadAllAsync(node, acknowledged, stale: true);
        output.WriteLine($"{clock.Elapsed.TotalSeconds:F2}s: all {acknowledged.Count} acknowledged writes read back from the 3 nodes, and stale from {node.NodeId}");
    }

    private static async Task RunClientAsync(int client, LocalCluster cluster, ConcurrentDictionary<string, string> acknowledged, CancellationToken stop)
    {
        var random = new Random(client);
        // Replaced nodes keep their ports, so these clients reach the new processes too.
        var https = cluster.Nodes.Select(n => new HttpClient { BaseAddress = n.BaseAddress, Timeout = TimeSpan.FromSeconds(3) }).ToList();
        try
        {
            for (var n = 0; !stop.IsCancellationRequested; n++)
            {
                var key = $"m{client}-{n}";
                var value = $"v{client}-{n}-{random.Next()}";
                try
                {
                    using var response = await https[random.Next(https.Count)].PostAsJsonAsync("/api/v1/set", new SetRequest(key, value), CancellationToken.None);
                    if (response.StatusCode == HttpStatusCode.OK)
                    {
                        acknowledged[key] = value;
                    }
                }
                catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
                {
                    // The outcome is unknown: the key is not counted as acknowledged.
                }
            }
        }
        finally
        {
            foreach (var http in https)
            {
                http.Dispose();
            }
        }
    }

    private static async Task ReadAllAsync(NodeProcess node, ConcurrentDictionary<string, string> acknowledged, bool stale)
    {
        using var http = new HttpClient { BaseAddress = node.BaseAddress, Timeout = TimeSpan.FromSeconds(10) };
        var query = stale ? "?consistency=stale" : "";
        var wrong = new ConcurrentBag<string>();
        await Parallel.ForEachAsync(acknowledged, new ParallelOptions { MaxDegreeOfParallelism = 16 }, async (pair, token) =>
        {
            using var response = await ReadAsync(http, new Uri($"/api/v1/get/{Uri.EscapeDataString(pair.Key)}{query}", UriKind.Relative), token);
            if (response.StatusCode != HttpStatusCode.OK)
            {
                wrong.Add($"{pair.Key}: {(int)response.StatusCode}");
                return;
            }

            var body = await response.Content.ReadFromJsonAsync<KeyValue>(token);
            if (body!.Value != pair.Value)
            {
                wrong.Add($"{pair.Key}: {body.Value} instead of {pair.Value}");
            }
        });
        wrong.ShouldBeEmpty($"reads from {node.NodeId}{query}: {string.Join("; ", wrong.Take(10))}");
    }

    /// <summary>
    /// One read, asked again (at most five times, 200 ms apart) while the node answers 503: on a loaded machine a
    /// linearizable read can meet a leader election, and "not now" is not a lost write. Any other answer is final.
    /// </summary>
    private static async Task<HttpResponseMessage> ReadAsync(HttpClient http, Uri uri, CancellationToken token)
    {
        for (var attempt = 1; ; attempt++)
        {
            var response = await http.GetAsync(uri, token);
            if (response.StatusCode != HttpStatusCode.ServiceUnavailable || attempt == 5)
            {
                return response;
            }

            response.Dispose();
            await Task.Delay(200, token);
        }
    }

    /// <summary>Waits until every node is up with its applied index within <paramref name="slack"/> of the leader's commit index.</summary>
    private static async Task WaitCaughtUpAsync(LocalCluster cluster, NodeProcess leader, int slack, TimeSpan timeout)
    {
        using var http = new HttpClient { BaseAddress = leader.BaseAddress, Timeout = TimeSpan.FromSeconds(3) };
        var deadline = DateTime.UtcNow + timeout;
        var last = "";
        while (DateTime.UtcNow < deadline)
        {
            var nodes = await http.GetFromJsonAsync<JsonElement>("/api/v1/cluster/nodes");
            var byId = nodes.EnumerateArray().ToDictionary(n => n.GetProperty("id").GetString()!);
            var commit = byId[leader.NodeId].GetProperty("metaCommitIndex").GetInt64();
            last = nodes.ToString();
            if (cluster.Nodes.All(n => byId.TryGetValue(n.NodeId, out var info)
                    && info.GetProperty("state").GetString() == "up"
                    && info.GetProperty("metaAppliedIndex").GetInt64() >= commit - slack))
            {
                return;
            }

            await Task.Delay(100);
        }

        throw new TimeoutException($"The nodes did not catch up with {leader.NodeId}: {last}");
    }

    [GeneratedRegex(@"Recovered group 1: last index (?<last>\d+), snapshot index (?<snapshot>\d+)")]
    private static partial Regex RecoveredLine();
}
