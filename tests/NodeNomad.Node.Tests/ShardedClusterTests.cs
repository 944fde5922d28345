using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using NodeNomad.Contracts;
using NodeNomad.Core.Cluster;
using NodeNomad.Testing;

namespace NodeNomad.Node.Tests;

/// <summary>
/// Five node processes, eight shards, three replicas each (the launcher's cluster). Any node serves any key; losing
/// one node costs no shard; losing a second costs exactly the shards that had two replicas on the lost nodes; the
/// rest keep serving; and when the nodes return nothing acknowledged is missing.
/// </summary>
[Collection(LocalClusters.Name)]
public sealed class ShardedClusterTests(ITestOutputHelper output)
{
    private const int Keys = 64;

    [Fact]
    public async Task losing_nodes_costs_exactly_the_shards_that_lost_their_majority_and_no_acknowledged_write()
    {
        await using var cluster = await LocalCluster.StartAsync(5, new Dictionary<string, string>
        {
            ["SHARD_COUNT"] = "8",
            ["REPLICATION_FACTOR"] = "3",
            ["REQUEST_TIMEOUT_MS"] = "5000",
        });
        var shards = await WaitEveryShardLedAsync(cluster.Nodes[0], TimeSpan.FromSeconds(30));
        shards.Length.ShouldBe(8);
        shards.ShouldAllBe(s => s.Replicas.Count == 3 && s.Replicas.Select(r => r.NodeId).Distinct().Count() == 3);
        var keys = Enumerable.Range(0, Keys).Select(i => $"key-{i}").ToArray();
        var shardOf = keys.ToDictionary(k => k, k => ShardOf(shards, k));
        var store = new AcknowledgedWrites();

        // Writes go in through one node and are read back through another.
        for (var i = 0; i < keys.Length; i++)
        {
            var writer = cluster.Nodes[i % 5];
            var reader = cluster.Nodes[(i + 2) % 5];
            (await store.WriteAsync(writer, keys[i], $"first-{i}")).ShouldBe(HttpStatusCode.OK);
            var read = await GetAsync(reader, keys[i]);
            read.Status.ShouldBe(HttpStatusCode.OK);
            read.Value.ShouldBe($"first-{i}");
        }

        // One node down: every shard still has a majority, so every key serves (once its shard re-elected).
        var first = cluster.Nodes[0];
        first.Kill();
        output.WriteLine($"SIGKILLed {first.NodeId}, which held shards {string.Join(",", shards.Where(s => Holds(s, first.NodeId)).Select(s => s.Id))}");
        var survivors = cluster.Nodes.Where(n => n.IsRunning).ToList();
        for (var i = 0; i < keys.Length; i++)
        {
            var status = await WithinAsync(TimeSpan.FromSeconds(10), () => store.WriteAsync(survivors[i % survivors.Count], keys[i], $"second-{i}"));
            status.ShouldBe(HttpStatusCode.OK, $"{keys[i]} (shard {shardOf[keys[i]]}) must stay writable with one node down");
        }

        // A second node down: exactly the shards with two replicas on the two lost nodes refuse, the others serve.
        var second = cluster.Nodes[1];
        second.Kill();
        var lost = shards.Where(s => s.Replicas.Count(r => r.NodeId == first.NodeId || r.NodeId == second.NodeId) >= 2).Select(s => s.Id).ToHashSet();
        output.WriteLine($"SIGKILLed {second.NodeId}; shards without a majority: {string.Join(",", lost)}");
        lost.ShouldNotBeEmpty();
        lost.Count.ShouldBeLessThan(shards.Length);
        survivors = [.. cluster.Nodes.Where(n => n.IsRunning)];
        // After three election timeouts without a leader a shard is known lost, and its requests are refused at once
        // rather than after the whole request timeout.
        await Task.Delay(TimeSpan.FromMilliseconds(4 * LocalCluster.ElectionTimeoutMs));
        var refusedPerShard = new Dictionary<int, int>();
        for (var i = 0; i < keys.Length; i++)
        {
            var key = keys[i];
            var via = survivors[i % survivors.Count];
            if (lost.Contains(shardOf[key]))
            {
                // Each refusal waits out the request timeout: two keys per lost shard, through different nodes, show it.
                if (refusedPerShard.GetValueOrDefault(shardOf[key]) == 2)
                {
                    continue;
                }

                refusedPerShard[shardOf[key]] = refusedPerShard.GetValueOrDefault(shardOf[key]) + 1;
                var refused = System.Diagnostics.Stopwatch.StartNew();
                (await store.WriteAsync(via, key, $"third-{i}")).ShouldBe(HttpStatusCode.ServiceUnavailable, $"{key}'s shard {shardOf[key]} has lost its majority");
                (await GetAsync(via, key)).Status.ShouldBe(HttpStatusCode.ServiceUnavailable);
                refused.Elapsed.ShouldBeLessThan(TimeSpan.FromSeconds(4), "a shard known lost is refused without waiting out the 5 s request timeout");
            }
            else
            {
                var status = await WithinAsync(TimeSpan.FromSeconds(10), () => store.WriteAsync(via, key, $"third-{i}"));
                status.ShouldBe(HttpStatusCode.OK, $"{key}'s shard {shardOf[key]} still has a majority");
                var read = await GetAsync(survivors[(i + 1) % survivors.Count], key);
                read.Status.ShouldBe(HttpStatusCode.OK);
                read.Value.ShouldBe($"third-{i}");
            }
        }

        // Both come back: every shard serves again, and every key holds its last acknowledged value (or a later
        // write whose outcome was unknown), read through every node.
        await first.RestartAsync(waitReady: false);
        await second.RestartAsync(waitReady: false);
        await first.WaitReadyAsync(TimeSpan.FromSeconds(30));
        await second.WaitReadyAsync(TimeSpan.FromSeconds(30));
        await WaitEveryShardLedAsync(cluster.Nodes[2], TimeSpan.FromSeconds(30));
        foreach (var node in cluster.Nodes)
        {
            foreach (var key in keys)
            {
                var read = await WithinAsync(TimeSpan.FromSeconds(10), async () => await GetAsync(node, key), r => r.Status == HttpStatusCode.OK);
                read.Status.ShouldBe(HttpStatusCode.OK, $"{key} through {node.NodeId}");
                store.Possible(key).ShouldContain(read.Value!, $"{key} through {node.NodeId}: the last acknowledged value or a later unacknowledged one");
            }
        }
    }

    private static bool Holds(ShardInfo shard, string nodeId) => shard.Replicas.Any(r => r.NodeId == nodeId);

    private static int ShardOf(ShardInfo[] shards, string key)
    {
        var position = KeyPosition.Of(key);
        return shards.Single(s => HashRange.Parse(s.RangeStart, s.RangeEnd).Contains(position)).Id;
    }

    private static async Task<ShardInfo[]> WaitEveryShardLedAsync(NodeProcess node, TimeSpan timeout)
    {
        using var http = new HttpClient { BaseAddress = node.BaseAddress, Timeout = TimeSpan.FromSeconds(5) };
        var deadline = DateTime.UtcNow + timeout;
        ShardInfo[]? shards = null;
        while (DateTime.UtcNow < deadline)
        {
            try
            {
                shards = await http.GetFromJsonAsync<ShardInfo[]>("/api/v1/cluster/shards");
                if (shards is { Length: > 0 } && shards.All(s => s.LeaderId is not null))
                {
                    return shards;
                }
            }
            catch (HttpRequestException)
            {
            }

            await Task.Delay(100);
        }

        throw new TimeoutException($"Not every shard had a leader within {timeout}: {string.Join(", ", shards?.Select(s => $"{s.Id}:{s.LeaderId ?? "none"}") ?? [])}");
    }

    private static async Task<(HttpStatusCode Status, string? Value)> GetAsync(NodeProcess node, string key)
    {
        using var http = new HttpClient { BaseAddress = node.BaseAddress, Timeout = TimeSpan.FromSeconds(15) };
        using var response = await http.GetAsync(new Uri($"/api/v1/get/{key}", UriKind.Relative));
        return response.StatusCode == HttpStatusCode.OK
            ? (response.StatusCode, (await response.Content.ReadFromJsonAsync<KeyValue>())!.Value)
            : (response.StatusCode, null);
    }

    /// <summary>Retries <paramref name="attempt"/> while it answers 503 (an election in progress), up to <paramref name="timeout"/>.</summary>
    private static Task<HttpStatusCode> WithinAsync(TimeSpan timeout, Func<Task<HttpStatusCode>> attempt) =>
        WithinAsync(timeout, attempt, s => s != HttpStatusCode.ServiceUnavailable);

    private static async Task<T> WithinAsync<T>(TimeSpan timeout, Func<Task<T>> attempt, Func<T, bool> done)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            var result = await attempt();
            if (done(result) || DateTime.UtcNow > deadline)
            {
                return result;
            }

            await Task.Delay(100);
        }
    }

    /// <summary>Per key, the last acknowledged value and the values written after it whose outcome is unknown.</summary>
    private sealed class AcknowledgedWrites
    {
        private readonly Dictionary<string, List<string>> _possible = [];

        public List<string> Possible(string key) => _possible[key];

        public async Task<HttpStatusCode> WriteAsync(NodeProcess node, string key, string value)
        {
            using var http = new HttpClient { BaseAddress = node.BaseAddress, Timeout = TimeSpan.FromSeconds(15) };
            HttpStatusCode status;
            try
            {
                using var response = await http.PostAsJsonAsync("/api/v1/set", new SetRequest(key, value));
                status = response.StatusCode;
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
            {
                status = HttpStatusCode.ServiceUnavailable;
            }

            if (status == HttpStatusCode.OK)
            {
                _possible[key] = [value];
            }
            else if (status == HttpStatusCode.ServiceUnavailable && _possible.TryGetValue(key, out var values))
            {
                // A write that timed out may still take effect: it is a possible value from now on.
                values.Add(value);
            }
            else
            {
                throw new InvalidOperationException(string.Create(CultureInfo.InvariantCulture, $"Writing {key} through {node.NodeId} answered {(int)status}."));
            }

            return status;
        }
    }
}
