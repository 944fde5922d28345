using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using NodeNomad.Contracts;
using NodeNomad.Linearizability;
using NodeNomad.Testing;

namespace NodeNomad.Node.Tests;

/// <summary>
/// Three real node processes replicate one Raft group: the leader is killed with SIGKILL under concurrent
/// clients, a new leader serves, the killed node comes back and catches up by snapshot, no acknowledged
/// write is lost, and the clients' history is linearizable.
/// </summary>
[Collection(LocalClusters.Name)]
public sealed class ReplicatedClusterTests(ITestOutputHelper output)
{
    private const int Clients = 6;
    private const int Keys = 5;

    [Fact]
    public async Task killing_the_leader_loses_no_acknowledged_write_and_the_history_is_linearizable()
    {
        // A small snapshot threshold, so the survivors compact past what the killed node has while it is down.
        await using var cluster = await LocalCluster.StartAsync(3, new Dictionary<string, string> { ["SNAPSHOT_ENTRIES"] = "100" });
        var leader = await cluster.WaitForLeaderAsync(TimeSpan.FromSeconds(20));
        output.WriteLine($"first leader: {leader.NodeId}");

        var history = new ConcurrentBag<Operation<NodeNomadKvInput, NodeNomadKvOutput>>();
        var acknowledged = new ConcurrentDictionary<string, string>();
        var clock = Stopwatch.StartNew();
        using var stop = new CancellationTokenSource();
        var clients = Enumerable.Range(0, Clients).Select(c => Task.Run(() => RunClientAsync(c, cluster, history, acknowledged, clock, stop.Token))).ToArray();

        await Task.Delay(1500);
        var writesBefore = history.Count(o => !o.IsOutcomeUnknown && o.Input.Kind != NodeNomadKvOperationKind.Get);
        var killedAt = clock.Elapsed;
        leader.Kill();
        output.WriteLine($"killed {leader.NodeId} at {killedAt.TotalSeconds:F2}s after {writesBefore} completed writes");

        var successor = await cluster.WaitForLeaderAsync(TimeSpan.FromSeconds(10), not: leader.NodeId);
        var failover = clock.Elapsed - killedAt;
        output.WriteLine($"new leader {successor.NodeId} after {failover.TotalMilliseconds:F0} ms");
        failover.ShouldBeLessThan(TimeSpan.FromMilliseconds(LocalCluster.ElectionTimeoutMs * 8));

        // Enough writes while it is down for the survivors to snapshot past its log (SNAPSHOT_ENTRIES is 100).
        var target = history.Count + 1000;
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (history.Count < target && DateTime.UtcNow < deadline)
        {
            await Task.Delay(100);
        }

        await leader.RestartAsync(waitReady: true);
        await WaitCaughtUpAsync(leader, successor);
        await Task.Delay(500);
        await stop.CancelAsync();
        await Task.WhenAll(clients);
        output.WriteLine($"{history.Count} operations ({history.Count(o => o.IsOutcomeUnknown)} with unknown outcome) on {acknowledged.Count} keys");

        leader.Output.ShouldContain("Installed a snapshot of group 1 from the leader");

        // Every node serves what was acknowledged: read each key at each node without forwarding (stale reads, after catch-up).
        foreach (var node in cluster.Nodes)
        {
            using var http = new HttpClient { BaseAddress = node.BaseAddress };
            foreach (var (key, _) in acknowledged)
            {
                var response = await http.GetAsync(new Uri($"/api/v1/get/{Uri.EscapeDataString(key)}", UriKind.Relative));
                response.StatusCode.ShouldBe(HttpStatusCode.OK, $"{key} on {node.NodeId}");
            }
        }

        var result = LinearizabilityChecker.Check(new NodeNomadKvModel(), history.ToList(), TimeSpan.FromSeconds(60));
        if (result.Verdict != Verdict.Linearizable)
        {
            var path = Path.Combine(Path.GetTempPath(), $"nodenomad-history-{Guid.NewGuid():N}.edn");
            NodeNomadKvHistory.Write(path, history.ToList());
            output.WriteLine($"history written to {path}; re-check with: dotnet run --project load/NodeNomad.Load -- check-history {path}");
        }

        result.Verdict.ShouldBe(Verdict.Linearizable, result.Message);
    }

    private static async Task RunClientAsync(
        int client,
        LocalCluster cluster,
        ConcurrentBag<Operation<NodeNomadKvInput, NodeNomadKvOutput>> history,
        ConcurrentDictionary<string, string> acknowledged,
        Stopwatch clock,
        CancellationToken stop)
    {
        var random = new Random(client);
        var https = cluster.Nodes.Select(n => new HttpClient { BaseAddress = n.BaseAddress, Timeout = TimeSpan.FromSeconds(3) }).ToList();
        try
        {
            for (var n = 0; !stop.IsCancellationRequested; n++)
            {
                var http = https[random.Next(https.Count)];
                var key = $"k{random.Next(Keys)}";
                var roll = random.Next(10);
                var call = clock.ElapsedTicks;
                if (roll < 5)
                {
                    var value = $"c{client}-{n}";
                    var response = await TryAsync(() => http.PostAsJsonAsync("/api/v1/set", new SetRequest(key, value)));
                    if (response is { StatusCode: HttpStatusCode.OK })
                    {
                        history.Add(new(client, NodeNomadKvInput.Put(key, value), call, NodeNomadKvOutput.Ok, clock.ElapsedTicks));
                        acknowledged[key] = value;
                    }
                    else
                    {
                        history.Add(new(client, NodeNomadKvInput.Put(key, value), call));
                    }
                }
                else if (roll < 8)
                {
                    var response = await TryAsync(() => http.GetAsync(new Uri($"/api/v1/get/{key}", UriKind.Relative)));
                    if (response is { StatusCode: HttpStatusCode.OK })
                    {
                        var body = await response.Content.ReadFromJsonAsync<KeyValue>(CancellationToken.None);
                        history.Add(new(client, NodeNomadKvInput.Get(key), call, NodeNomadKvOutput.Read(body!.Value), clock.ElapsedTicks));
                    }
                    else if (response is { StatusCode: HttpStatusCode.NotFound })
                    {
                        history.Add(new(client, NodeNomadKvInput.Get(key), call, NodeNomadKvOutput.Read(null), clock.ElapsedTicks));
                    }
                }
                else
                {
                    // Read the version, then compare-and-set on it. Values are unique, so a version names a value.
                    var read = await TryAsync(() => http.GetAsync(new Uri($"/api/v1/get/{key}", UriKind.Relative)));
                    if (read is not { StatusCode: HttpStatusCode.OK })
                    {
                        continue;
                    }

                    var current = (await read.Content.ReadFromJsonAsync<KeyValue>(CancellationToken.None))!;
                    var value = $"c{client}-{n}-cas";
                    call = clock.ElapsedTicks;
                    var input = NodeNomadKvInput.CompareAndSet(key, current.Value, value);
                    var response = await TryAsync(() => http.PostAsJsonAsync("/api/v1/cas", new CasRequest(key, current.Version, value)));
                    if (response is { StatusCode: HttpStatusCode.OK })
                    {
                        history.Add(new(client, input, call, NodeNomadKvOutput.Ok, clock.ElapsedTicks));
                        acknowledged[key] = value;
                    }
                    else if (response is { StatusCode: HttpStatusCode.Conflict })
                    {
                        // A version mismatch is certain, but it says nothing about the value when the version moved
                        // to an equal value; values are unique, so it means the value differed.
                        history.Add(new(client, input, call, NodeNomadKvOutput.CompareFailed, clock.ElapsedTicks));
                    }
                    else
                    {
                        history.Add(new(client, input, call));
                    }
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

    private static async Task<HttpResponseMessage?> TryAsync(Func<Task<HttpResponseMessage>> send)
    {
        try
        {
            return await send();
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
        {
            return null;
        }
    }

    private static async Task WaitCaughtUpAsync(NodeProcess node, NodeProcess leader)
    {
        using var http = new HttpClient { BaseAddress = leader.BaseAddress };
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (DateTime.UtcNow < deadline)
        {
            var nodes = await http.GetFromJsonAsync<JsonElement>("/api/v1/cluster/nodes");
            var byId = nodes.EnumerateArray().ToDictionary(n => n.GetProperty("id").GetString()!);
            var applied = byId[node.NodeId].GetProperty("metaAppliedIndex").GetInt64();
            var commit = byId[leader.NodeId].GetProperty("metaCommitIndex").GetInt64();
            if (byId[node.NodeId].GetProperty("state").GetString() == "up" && applied >= commit - 5)
            {
                return;
            }

            await Task.Delay(100);
        }

        throw new TimeoutException($"{node.NodeId} did not catch up.");
    }
}
