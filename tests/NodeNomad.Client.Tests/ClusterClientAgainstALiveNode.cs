using NodeNomad.Testing;

namespace NodeNomad.Client.Tests;

/// <summary>
/// The cluster client against three real node processes holding eight shards: every key goes to its shard's
/// leader, and the client stays correct when a node dies and leaderships move under it.
/// </summary>
public sealed class ClusterClientAgainstALiveNode : IAsyncLifetime
{
    private LocalCluster? cluster;
    private HttpClient? http;

    public async ValueTask InitializeAsync()
    {
        cluster = await LocalCluster.StartAsync(3, new Dictionary<string, string> { ["SHARD_COUNT"] = "8" });
        http = new HttpClient();
    }

    public async ValueTask DisposeAsync()
    {
        http?.Dispose();
        if (cluster is not null)
        {
            await cluster.DisposeAsync();
        }
    }

    [Fact]
    public async Task bytes_round_trip_through_their_shard_leaders()
    {
        var options = new NodeNomadClusterClientOptions();
        options.Seeds.Add(cluster!.Nodes[0].BaseAddress);
        var client = new NodeNomadClusterClient(http!, options);
        var ct = TestContext.Current.CancellationToken;

        for (var i = 0; i < 16; i++)
        {
            byte[] blob = [(byte)i, 0xFF, 0x00, 0xED, 0xA0];
            var written = await client.SetBytesAsync($"blob/{i}", blob, cancellationToken: ct);
            var read = await client.GetBytesAsync($"blob/{i}", ct);
            read!.Value.ToArray().ShouldBe(blob);
            read.IsBinary.ShouldBeTrue();
            var swapped = await client.CompareAndSetBytesAsync($"blob/{i}", written.Version, blob.AsMemory(0, 2), cancellationToken: ct);
            (await client.GetBytesAsync($"blob/{i}", ct))!.Version.ShouldBe(swapped.Version);
        }
    }

    [Fact]
    public async Task keys_round_trip_through_their_shard_leaders_while_a_node_dies()
    {
        var options = new NodeNomadClusterClientOptions();
        options.Seeds.Add(cluster!.Nodes[0].BaseAddress);
        options.Seeds.Add(cluster.Nodes[1].BaseAddress);
        var client = new NodeNomadClusterClient(http!, options);
        var ct = TestContext.Current.CancellationToken;

        var map = await client.GetShardMapAsync(ct);
        map.Shards.Count.ShouldBe(8);
        map.Shards[^1].RangeEnd.ShouldBe("ffffffffffffffff");

        var written = await client.SetAsync("smart/one", "1", cancellationToken: ct);
        (await client.GetAsync("smart/one", ct)).ShouldNotBeNull().Value.ShouldBe("1");
        (await client.CompareAndSetAsync("smart/one", written.Version, "2", cancellationToken: ct)).Version.ShouldBeGreaterThan(written.Version);
        (await client.DeleteAsync("smart/one", ct)).ShouldBeTrue();
        (await client.ExistsAsync("smart/one", ct)).ShouldBeFalse();

        var keys = Enumerable.Range(0, 40).Select(i => $"smart/{i}").ToList();
        map.Shards.Select(s => s.Id).Intersect(keys.Select(k => map.ShardOf(k)!.Id)).Count().ShouldBeGreaterThan(4, "the keys spread over the shards");
        foreach (var key in keys)
        {
            await client.SetAsync(key, "before", cancellationToken: ct);
        }

        // A node dies: the shards it led elect new leaders, and the client finds them.
        cluster.Nodes[0].Kill();
        foreach (var key in keys)
        {
            await client.SetAsync(key, "after", cancellationToken: ct);
        }

        foreach (var key in keys)
        {
            (await client.GetAsync(key, ct)).ShouldNotBeNull().Value.ShouldBe("after");
        }
    }
}
