using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Json;
using System.Text.RegularExpressions;
using NodeNomad.Contracts;
using NodeNomad.Testing;
using static NodeNomad.Node.Tests.MigrationProbe;

namespace NodeNomad.Node.Tests;

/// <summary>
/// A node that holds no replica of a key's shard forwards the key requests it gets to the shard's leader in batches:
/// requests that come together travel as one peer request, and each is answered as if it had gone alone.
/// </summary>
[Collection(LocalClusters.Name)]
public sealed partial class ForwardedBatchesTests(ITestOutputHelper output)
{
    private const int Clients = 32;
    private const int PerClient = 25;

    [Fact]
    public async Task concurrent_requests_through_a_node_without_the_shard_travel_together_and_each_gets_its_own_answer()
    {
        var (cluster, shard, entry) = await OneShardBesideAnEntryNode.StartAsync();
        await using var stopped = cluster;
        var leader = cluster.Nodes.Single(n => n.NodeId == shard.LeaderId);
        using var http = HttpTo(entry);
        var (batchesBefore, requestsBefore) = await BatchesAsync(leader);

        var failures = new ConcurrentQueue<string>();
        await Task.WhenAll(Enumerable.Range(0, Clients).Select(async client =>
        {
            using var mine = HttpTo(entry);
            for (var i = 0; i < PerClient; i++)
            {
                var key = $"c{client}/k{i}";
                using var set = await mine.PostAsJsonAsync("/api/v1/set", new SetRequest(key, $"v{client}.{i}"));
                var setBody = await set.Content.ReadAsStringAsync();
                var version = set.StatusCode == HttpStatusCode.OK ? (await set.Content.ReadFromJsonAsync<WriteResult>(Json.Options))!.Version : 0;
                if (set.StatusCode != HttpStatusCode.OK || set.Headers.GetValues("X-NodeNomad-Served-By").Single() != leader.NodeId)
                {
                    failures.Enqueue($"set {key}: {(int)set.StatusCode} {setBody}");
                    continue;
                }

                // A compare-and-set that expects another version gets its own 409, not a neighbour's answer.
                using var cas = await mine.PostAsJsonAsync("/api/v1/cas", new CasRequest(key, version + 7, "never"));
                if (cas.StatusCode != HttpStatusCode.Conflict)
                {
                    failures.Enqueue($"cas {key}: {(int)cas.StatusCode} {await cas.Content.ReadAsStringAsync()}");
                }

                using var get = await mine.GetAsync($"/api/v1/get/{Uri.EscapeDataString(key)}?consistency=linearizable");
                var read = get.StatusCode == HttpStatusCode.OK ? await get.Content.ReadFromJsonAsync<KeyValue>(Json.Options) : null;
                if (read is null || read.Value != $"v{client}.{i}" || read.Version != version)
                {
                    failures.Enqueue($"get {key}: {(int)get.StatusCode} {await get.Content.ReadAsStringAsync()}");
                }
            }
        }));

        using var absent = await http.GetAsync("/api/v1/get/never-written");
        absent.StatusCode.ShouldBe(HttpStatusCode.NotFound);
        var (batches, requests) = await BatchesAsync(leader);
        (batches, requests) = (batches - batchesBefore, requests - requestsBefore);
        output.WriteLine($"{Clients * PerClient * 3 + 1} requests through {entry.NodeId}; {leader.NodeId} served {requests} forwarded requests in {batches} batches; failures: {failures.Count}");
        failures.ShouldBeEmpty(string.Join('\n', failures.Take(10)));
        requests.ShouldBe((Clients * PerClient * 3) + 1);
        batches.ShouldBeLessThan(requests, "requests that came together travelled together");
    }

    [Fact]
    public async Task a_batch_that_is_not_one_is_refused_saying_why()
    {
        await using var cluster = await LocalCluster.StartAsync(1, new Dictionary<string, string> { ["SHARD_COUNT"] = "1" });
        var node = cluster.Nodes[0];
        using var peers = new HttpClient { DefaultRequestVersion = HttpVersion.Version20, DefaultVersionPolicy = HttpVersionPolicy.RequestVersionExact };
        peers.DefaultRequestHeaders.Authorization = new("Bearer", "local-cluster-test-secret");
        using var garbage = await peers.PostAsync(new Uri($"http://127.0.0.1:{node.PeerPort}/peer/v1/forward"), new ByteArrayContent([1, 0, 0, 0, 9]));
        await ShouldBeProblemAsync(garbage, HttpStatusCode.BadRequest, "not a batch of forwarded requests");

        // The batch path is the peer port's: the client port does not serve it.
        using var client = HttpTo(node);
        using var outside = await client.PostAsync("/peer/v1/forward", new ByteArrayContent([0, 0, 0, 0]));
        outside.StatusCode.ShouldBe(HttpStatusCode.NotFound);
    }

    private static async Task<(long Batches, long Requests)> BatchesAsync(NodeProcess node)
    {
        using var http = HttpTo(node);
        var text = await http.GetStringAsync("/metrics");
        var count = Series(text, "nodenomad_forward_batch_size_count");
        var sum = Series(text, "nodenomad_forward_batch_size_sum");
        return (count, sum);
    }

    private static long Series(string text, string name)
    {
        var match = Regex.Match(text, $@"^{name}(\{{[^}}]*\}})? (\S+)", RegexOptions.Multiline);
        return match.Success ? (long)double.Parse(match.Groups[2].Value, System.Globalization.CultureInfo.InvariantCulture) : 0;
    }
}
