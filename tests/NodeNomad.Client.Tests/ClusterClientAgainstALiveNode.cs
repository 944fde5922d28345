using NodeNomad.Testing;

namespace NodeNomad.Client.Tests;

/// <summary>The cluster client against today's node process, which reports one shard and ignores the routing headers.</summary>
public sealed class ClusterClientAgainstALiveNode : IAsyncLifetime
{
    private NodeProcess? process;
    private HttpClient? http;

    public async ValueTask InitializeAsync()
    {
        process = await NodeProcess.StartAsync();
        http = new HttpClient();
    }

    public async ValueTask DisposeAsync()
    {
        http?.Dispose();
        if (process is not null)
        {
            await process.DisposeAsync();
        }
    }

    [Fact]
    public async Task keys_round_trip_through_the_one_shard_the_node_reports()
    {
        var options = new NodeNomadClusterClientOptions();
        options.Seeds.Add(process!.BaseAddress);
        var client = new NodeNomadClusterClient(http!, options);
        var ct = TestContext.Current.CancellationToken;

        var written = await client.SetAsync("smart/one", "1", cancellationToken: ct);
        var read = await client.GetAsync("smart/one", ct);
        (await client.CompareAndSetAsync("smart/one", written.Version, "2", cancellationToken: ct)).Version.ShouldBeGreaterThan(written.Version);
        var map = await client.GetShardMapAsync(ct);

        read.ShouldNotBeNull().Value.ShouldBe("1");
        map.Shards.ShouldHaveSingleItem().RangeEnd.ShouldBe("ffffffffffffffff");
        (await client.DeleteAsync("smart/one", ct)).ShouldBeTrue();
        (await client.ExistsAsync("smart/one", ct)).ShouldBeFalse();
    }
}
