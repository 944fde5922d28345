using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text.RegularExpressions;
using NodeNomad.Contracts;
using NodeNomad.Testing;
using static NodeNomad.Node.Tests.MigrationProbe;

namespace NodeNomad.Node.Tests;

/// <summary>
/// A key request goes through at most three nodes. One that reaches the last of them, which does not lead the shard,
/// was taken by no replica: that node answers 503 marked not taken, and the node the client called sends the request
/// again through its own newer view of the leader, so leadership moving twice while a write travels costs the client
/// time, not an error.
/// </summary>
/// <remarks>
/// Every node here runs with <c>NODENOMAD_TEST_HOLD_ROUTED_MS</c>, which holds each request routed to a local replica
/// before it is served: the write is held at the leader it was forwarded to while the test moves the leadership away,
/// and again at the new leader while the test moves it once more.
/// </remarks>
[Collection(LocalClusters.Name)]
public sealed partial class NotTakenRequestsTests(ITestOutputHelper output)
{
    private const int HoldMs = 3000;

    /// <summary>How many clusters the scenario may take: a leadership move that outlasts the hold leaves it unshown.</summary>
    private const int Attempts = 3;

    [Fact]
    public async Task a_forwarded_write_that_meets_the_hop_limit_at_a_replica_not_leading_is_refused_as_not_taken()
    {
        await using var cluster = await LocalCluster.StartAsync(3, new Dictionary<string, string> { ["SHARD_COUNT"] = "1", ["REPLICATION_FACTOR"] = "3" });
        using var control = HttpTo(cluster.Nodes[0]);
        await Eventually(async () => (await ShardAsync(control, 0)).LeaderId is not null, "the shard has a leader", MoveTimeout);
        var shard = await ShardAsync(control, 0);
        var follower = cluster.Nodes.First(n => n.NodeId != shard.LeaderId);
        using var peers = PeerClient();

        // As if two nodes had passed it on already: the follower may not forward it to the leader it knows.
        using var last = await peers.SendAsync(ForwardedSet(follower, "at-the-limit", hops: 2));
        var body = await last.Content.ReadAsStringAsync();
        output.WriteLine($"hops 2 at {follower.NodeId}: {(int)last.StatusCode} {body}");
        last.StatusCode.ShouldBe(HttpStatusCode.ServiceUnavailable, body);
        last.Headers.GetValues("X-NodeNomad-Not-Taken").Single().ShouldBe("true");
        body.ShouldContain($"{shard.LeaderId} leads the group");
        (await control.GetAsync("/api/v1/get/at-the-limit?consistency=linearizable")).StatusCode.ShouldBe(HttpStatusCode.NotFound);

        // One hop fewer, it goes on to the leader and is served there; nothing is marked.
        using var once = await peers.SendAsync(ForwardedSet(follower, "one-hop", hops: 1));
        once.StatusCode.ShouldBe(HttpStatusCode.OK, await once.Content.ReadAsStringAsync());
        once.Headers.Contains("X-NodeNomad-Not-Taken").ShouldBeFalse();
        once.Headers.GetValues("X-NodeNomad-Served-By").Single().ShouldBe(shard.LeaderId);
    }

    [Fact]
    public async Task a_forwarded_request_at_a_node_without_the_shard_and_a_stale_view_is_refused_as_not_taken()
    {
        await using var cluster = await LocalCluster.StartAsync(4, new Dictionary<string, string> { ["SHARD_COUNT"] = "1", ["REPLICATION_FACTOR"] = "3" });
        using var control = HttpTo(cluster.Nodes[0]);
        (await control.PutAsJsonAsync("/api/v1/cluster/rebalancer", new { enabled = false })).StatusCode.ShouldBe(HttpStatusCode.OK);
        await Eventually(async () => (await ShardAsync(control, 0)).LeaderId is not null, "the shard has a leader", MoveTimeout);
        var shard = await ShardAsync(control, 0);
        var outsider = cluster.Nodes.First(n => shard.Replicas.All(r => r.NodeId != n.NodeId));
        using var peers = PeerClient();

        using var last = await peers.SendAsync(ForwardedSet(outsider, "nowhere", hops: 2));
        var body = await last.Content.ReadAsStringAsync();
        output.WriteLine($"hops 2 at {outsider.NodeId}: {(int)last.StatusCode} {body}");
        last.StatusCode.ShouldBe(HttpStatusCode.ServiceUnavailable, body);
        last.Headers.GetValues("X-NodeNomad-Not-Taken").Single().ShouldBe("true");
        body.ShouldContain("stale view");
    }

    [Fact]
    public async Task a_write_whose_leader_moves_twice_on_its_way_is_sent_again_by_the_node_the_client_called_and_succeeds()
    {
        for (var attempt = 1; attempt <= Attempts; attempt++)
        {
            if (await WriteAcrossTwoLeadershipMovesAsync(attempt))
            {
                return;
            }
        }

        Assert.Fail($"In {Attempts} clusters no write reached the hop limit at a replica that had stopped leading: every leadership move outlasted the {HoldMs} ms hold.");
    }

    /// <summary>True when the write went around and succeeded; false when the moves were too slow to put it in the path.</summary>
    private async Task<bool> WriteAcrossTwoLeadershipMovesAsync(int attempt)
    {
        await using var cluster = await LocalCluster.StartAsync(4, new Dictionary<string, string>
        {
            ["SHARD_COUNT"] = "1",
            ["REPLICATION_FACTOR"] = "3",
            ["REQUEST_TIMEOUT_MS"] = "40000",
            ["NODENOMAD_TEST_HOLD_ROUTED_MS"] = HoldMs.ToString(CultureInfo.InvariantCulture),
        });
        using var control = HttpTo(cluster.Nodes[0]);
        (await control.PutAsJsonAsync("/api/v1/cluster/rebalancer", new { enabled = false })).StatusCode.ShouldBe(HttpStatusCode.OK);
        await Eventually(async () => (await ShardAsync(control, 0)).LeaderId is not null, "the shard has a leader", MoveTimeout);
        var shard = await ShardAsync(control, 0);
        var entry = cluster.Nodes.First(n => shard.Replicas.All(r => r.NodeId != n.NodeId));
        var leader = cluster.Nodes.Single(n => n.NodeId == shard.LeaderId);
        var followers = shard.Replicas.Select(r => r.NodeId).Where(id => id != leader.NodeId).ToList();
        var (first, second) = (cluster.Nodes.Single(n => n.NodeId == followers[0]), cluster.Nodes.Single(n => n.NodeId == followers[1]));
        using var client = new HttpClient { BaseAddress = entry.BaseAddress, Timeout = TimeSpan.FromSeconds(90) };
        await Eventually(async () =>
        {
            using var warm = await client.PostAsJsonAsync("/api/v1/set", new SetRequest("warm", "1"));
            return warm.StatusCode == HttpStatusCode.OK && warm.Headers.GetValues("X-NodeNomad-Served-By").Single() == leader.NodeId;
        }, "a write through the entry node is served by the leader", MoveTimeout);

        var atLeader = await ForwardedRequestsAsync(leader);
        var atFirst = await ForwardedRequestsAsync(first);
        var write = client.PostAsJsonAsync("/api/v1/set", new SetRequest("travelling", "2"));

        // Held at the leader it was forwarded to, the write finds, when let go, that the first follower leads now...
        await Eventually(async () => await ForwardedRequestsAsync(leader) > atLeader, $"the write reaches {leader.NodeId}", MoveTimeout);
        using (var moved = await control.PostAsJsonAsync("/api/v1/cluster/leadership", new { shardId = 0, nodeId = first.NodeId }))
        {
            moved.StatusCode.ShouldBe(HttpStatusCode.OK, await moved.Content.ReadAsStringAsync());
        }

        // ...and, held there in turn (its third node), that the second one leads by then: it may go no further.
        await Eventually(async () => await ForwardedRequestsAsync(first) > atFirst || write.IsCompleted, $"the write reaches {first.NodeId}", MoveTimeout);
        if (!write.IsCompleted)
        {
            using var moved = await control.PostAsJsonAsync("/api/v1/cluster/leadership", new { shardId = 0, nodeId = second.NodeId });
            moved.StatusCode.ShouldBe(HttpStatusCode.OK, await moved.Content.ReadAsStringAsync());
        }

        using var answer = await write;
        var body = await answer.Content.ReadAsStringAsync();
        var sentAgain = await SentAgainAsync(entry);
        var servedBy = answer.Headers.TryGetValues("X-NodeNomad-Served-By", out var by) ? string.Join(",", by) : "?";
        output.WriteLine($"attempt {attempt}: entry {entry.NodeId}, leader {leader.NodeId} then {first.NodeId} then {second.NodeId}; "
            + $"the write was answered {(int)answer.StatusCode} by {servedBy} after {sentAgain} attempt(s) made again: {body}");
        answer.StatusCode.ShouldBe(HttpStatusCode.OK, body);
        answer.Headers.Contains("X-NodeNomad-Not-Taken").ShouldBeFalse();
        if (sentAgain == 0)
        {
            return false;
        }

        using var read = await client.GetAsync("/api/v1/get/travelling?consistency=linearizable");
        (await read.Content.ReadFromJsonAsync<KeyValue>(Json.Options))!.Value.ShouldBe("2");
        return true;
    }

    private static HttpClient PeerClient()
    {
        var peers = new HttpClient { DefaultRequestVersion = HttpVersion.Version20, DefaultVersionPolicy = HttpVersionPolicy.RequestVersionExact };
        peers.DefaultRequestHeaders.Authorization = new("Bearer", "local-cluster-test-secret");
        return peers;
    }

    private static HttpRequestMessage ForwardedSet(NodeProcess node, string key, int hops)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, new Uri($"http://127.0.0.1:{node.PeerPort}/api/v1/set"))
        {
            Content = JsonContent.Create(new SetRequest(key, "v")),
            Version = HttpVersion.Version20,
            VersionPolicy = HttpVersionPolicy.RequestVersionExact,
        };
        request.Headers.Add("X-NodeNomad-Forwarded-By", "node-test");
        request.Headers.Add("X-NodeNomad-Hops", hops.ToString(CultureInfo.InvariantCulture));
        return request;
    }

    /// <summary>How many forwarded key requests <paramref name="node"/> has served in batches.</summary>
    private static async Task<long> ForwardedRequestsAsync(NodeProcess node)
    {
        using var http = HttpTo(node);
        var text = await http.GetStringAsync("/metrics");
        var match = Regex.Match(text, @"^nodenomad_forward_batch_size_sum(\{[^}]*\})? (\S+)", RegexOptions.Multiline);
        return match.Success ? (long)double.Parse(match.Groups[2].Value, CultureInfo.InvariantCulture) : 0;
    }

    /// <summary>How many attempts <paramref name="node"/> made again of requests no replica took.</summary>
    private static async Task<long> SentAgainAsync(NodeProcess node)
    {
        using var http = HttpTo(node);
        var text = await http.GetStringAsync("/metrics");
        return SentAgainLine().Matches(text).Sum(m => (long)double.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture));
    }

    [GeneratedRegex("""^nodenomad_kv_operations_total\{[^}]*outcome="not-taken-sent-again"[^}]*\} (\S+)""", RegexOptions.Multiline)]
    private static partial Regex SentAgainLine();
}
