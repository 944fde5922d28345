using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using NodeNomad.Contracts;
using NodeNomad.Core.Cluster;
using NodeNomad.Testing;

namespace NodeNomad.Node.Tests;

/// <summary>
/// How a node answers a key it does not lead: it forwards to the shard's leader, or, when the caller asks for
/// redirects, answers 421 naming the leader; a request routed by an old epoch is always redirected.
/// </summary>
[Collection(LocalClusters.Name)]
public sealed class RoutingTests
{
    [Fact]
    public async Task a_node_that_does_not_lead_the_keys_shard_forwards_redirects_or_refuses_a_stale_epoch()
    {
        await using var cluster = await LocalCluster.StartAsync(3, new Dictionary<string, string> { ["SHARD_COUNT"] = "4" });
        using var any = new HttpClient { BaseAddress = cluster.Nodes[0].BaseAddress, Timeout = TimeSpan.FromSeconds(10) };
        var shards = await WaitLedAsync(any);
        var nodes = await WaitRegisteredAsync(any);

        const string key = "routed/key";
        var shard = shards.Single(s => HashRange.Parse(s.RangeStart, s.RangeEnd).Contains(KeyPosition.Of(key)));
        var leader = cluster.Nodes.Single(n => n.NodeId == shard.LeaderId);
        var follower = cluster.Nodes.First(n => n.NodeId != shard.LeaderId);
        using var http = new HttpClient { BaseAddress = follower.BaseAddress, Timeout = TimeSpan.FromSeconds(10) };

        // Without asking: forwarded to the leader, and the answer says who served it and which shard holds the key.
        var forwarded = await http.PostAsJsonAsync("/api/v1/set", new SetRequest(key, "v1"));
        forwarded.StatusCode.ShouldBe(HttpStatusCode.OK);
        forwarded.Headers.GetValues("X-NodeNomad-Served-By").Single().ShouldBe(leader.NodeId);
        forwarded.Headers.GetValues(RoutingHeaders.Shard).Single().ShouldBe(shard.Id.ToString(CultureInfo.InvariantCulture));

        // Asking for redirects: 421 with the leader's client URL, and the write did not happen.
        using (var request = new HttpRequestMessage(HttpMethod.Post, "/api/v1/set") { Content = JsonContent.Create(new SetRequest(key, "v2")) })
        {
            request.Headers.Add(RoutingHeaders.Redirect, "true");
            request.Headers.Add(RoutingHeaders.Epoch, shard.Epoch.ToString(CultureInfo.InvariantCulture));
            using var redirected = await http.SendAsync(request);
            redirected.StatusCode.ShouldBe(HttpStatusCode.MisdirectedRequest);
            redirected.Headers.GetValues(RoutingHeaders.LeaderUrl).Single().ShouldBe(nodes.Single(n => n.Id == leader.NodeId).ClientUrl);
            redirected.Content.Headers.ContentType!.MediaType.ShouldBe("application/problem+json");
        }

        (await http.GetFromJsonAsync<KeyValue>($"/api/v1/get/{key}"))!.Value.ShouldBe("v1");

        // A raw write is forwarded as it came, media type and bytes, an empty body included.
        foreach (var bytes in new[] { new byte[] { 0xFF, 0x00, 0xED }, [] })
        {
            var octets = new ByteArrayContent(bytes);
            octets.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue(RawValue.OctetStream);
            using var put = await http.PutAsync($"/api/v1/set/{Uri.EscapeDataString(key)}", octets);
            put.StatusCode.ShouldBe(HttpStatusCode.OK);
            put.Headers.GetValues("X-NodeNomad-Served-By").Single().ShouldBe(leader.NodeId);
            using var raw = new HttpRequestMessage(HttpMethod.Get, $"/api/v1/get/{Uri.EscapeDataString(key)}");
            raw.Headers.Accept.ParseAdd(RawValue.OctetStream);
            using var read = await http.SendAsync(raw);
            (await read.Content.ReadAsByteArrayAsync()).ShouldBe(bytes);
            read.Headers.GetValues(RawValue.KindHeader).Single().ShouldBe(RawValue.Binary);
        }

        (await http.PostAsJsonAsync("/api/v1/set", new SetRequest(key, "v1"))).StatusCode.ShouldBe(HttpStatusCode.OK);

        // Routed by an epoch older than the shard's: redirected even by the leader, never served.
        using (var request = new HttpRequestMessage(HttpMethod.Get, $"/api/v1/get/{key}"))
        {
            request.Headers.Add(RoutingHeaders.Epoch, (shard.Epoch - 1).ToString(CultureInfo.InvariantCulture));
            using var leaderHttp = new HttpClient { BaseAddress = leader.BaseAddress };
            using var stale = await leaderHttp.SendAsync(request);
            stale.StatusCode.ShouldBe(HttpStatusCode.MisdirectedRequest);
            stale.Headers.GetValues(RoutingHeaders.ShardEpoch).Single().ShouldBe(shard.Epoch.ToString(CultureInfo.InvariantCulture));
        }

        // The key listing spans every shard, wherever they are led; naming a shard that does not exist is refused.
        for (var i = 0; i < 12; i++)
        {
            (await http.PostAsJsonAsync("/api/v1/set", new SetRequest($"listed/{i:D2}", "x"))).StatusCode.ShouldBe(HttpStatusCode.OK);
        }

        var page = await http.GetFromJsonAsync<KeyPage>("/api/v1/keys?prefix=listed/&limit=5");
        page!.Items.Select(i => i.Key).ShouldBe(["listed/00", "listed/01", "listed/02", "listed/03", "listed/04"]);
        page.NextCursor.ShouldBe("listed/04");
        var rest = await http.GetFromJsonAsync<KeyPage>("/api/v1/keys?prefix=listed/&limit=100&after=listed/04");
        rest!.Items.Count.ShouldBe(7);
        rest.NextCursor.ShouldBeNull();
        (await http.GetAsync(new Uri("/api/v1/keys?shard=9", UriKind.Relative))).StatusCode.ShouldBe(HttpStatusCode.BadRequest);
    }

    private static async Task<NodeInfo[]> WaitRegisteredAsync(HttpClient http)
    {
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (true)
        {
            var nodes = await http.GetFromJsonAsync<NodeInfo[]>("/api/v1/cluster/nodes");
            if (nodes!.All(n => n.ClientUrl.Length > 0) || DateTime.UtcNow > deadline)
            {
                return nodes!;
            }

            await Task.Delay(100);
        }
    }

    private static async Task<ShardInfo[]> WaitLedAsync(HttpClient http)
    {
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (true)
        {
            var shards = await http.GetFromJsonAsync<ShardInfo[]>("/api/v1/cluster/shards");
            if (shards is { Length: > 0 } && shards.All(s => s.LeaderId is not null) || DateTime.UtcNow > deadline)
            {
                return shards!;
            }

            await Task.Delay(100);
        }
    }
}
