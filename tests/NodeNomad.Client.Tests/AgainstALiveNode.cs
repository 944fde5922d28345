using Microsoft.Extensions.DependencyInjection;
using NodeNomad.Testing;

namespace NodeNomad.Client.Tests;

/// <summary>A real node process for the client to talk to, shared by the class.</summary>
public sealed class LiveNode : IAsyncLifetime
{
    private NodeProcess? _process;
    private ServiceProvider? _services;

    public NodeNomadClient Client { get; private set; } = null!;

    public async ValueTask InitializeAsync()
    {
        _process = await NodeProcess.StartAsync();
        var services = new ServiceCollection();
        services.AddNodeNomadClient(options => options.BaseAddress = _process.BaseAddress);
        _services = services.BuildServiceProvider();
        Client = _services.GetRequiredService<NodeNomadClient>();
    }

    public async ValueTask DisposeAsync()
    {
        if (_services is not null)
        {
            await _services.DisposeAsync();
        }

        if (_process is not null)
        {
            await _process.DisposeAsync();
        }
    }
}

/// <summary>The client, registered through <c>AddNodeNomadClient</c>, against a running node process.</summary>
public sealed class AgainstALiveNode(LiveNode node) : IClassFixture<LiveNode>
{
    private readonly NodeNomadClient _client = node.Client;

    [Fact]
    public async Task set_get_exists_ttl_and_delete_round_trip()
    {
        var written = await _client.SetAsync("live/greeting", "hello", TimeSpan.FromMinutes(1));
        written.Version.ShouldBeGreaterThan(0);
        written.ExpiresAt.ShouldNotBeNull();

        var read = await _client.GetAsync("live/greeting");
        read.ShouldNotBeNull();
        read.Value.ShouldBe("hello");
        read.Version.ShouldBe(written.Version);
        (await _client.ExistsAsync("live/greeting")).ShouldBeTrue();
        (await _client.GetTtlAsync("live/greeting"))!.TtlSeconds!.Value.ShouldBeInRange(55, 60);

        (await _client.DeleteAsync("live/greeting")).ShouldBeTrue();
        (await _client.GetAsync("live/greeting")).ShouldBeNull();
        (await _client.ExistsAsync("live/greeting")).ShouldBeFalse();
        (await _client.DeleteAsync("live/greeting")).ShouldBeFalse();
    }

    [Theory]
    [InlineData("a/b/c")]
    [InlineData("100% sure")]
    [InlineData("what?#frag")]
    [InlineData("plus+sign")]
    [InlineData("日本語 🚀")]
    public async Task tricky_keys_arrive_intact(string key)
    {
        await _client.SetAsync(key, $"value of {key}");
        (await _client.GetAsync(key))!.Value.ShouldBe($"value of {key}");
        (await _client.DeleteAsync(key)).ShouldBeTrue();
    }

    [Fact]
    public async Task compare_and_set_conflicts_become_a_typed_exception()
    {
        var created = await _client.CompareAndSetAsync("live/cas", 0, "one");
        var conflict = await Should.ThrowAsync<VersionConflictException>(() => _client.CompareAndSetAsync("live/cas", created.Version + 5, "two"));
        conflict.CurrentVersion.ShouldBe(created.Version);
        var next = await _client.CompareAndSetAsync("live/cas", created.Version, "two");
        next.Version.ShouldBeGreaterThan(created.Version);
    }

    [Fact]
    public async Task invalid_input_becomes_a_typed_exception_with_the_reason()
    {
        var tooLong = await Should.ThrowAsync<InvalidRequestException>(() => _client.SetAsync(new string('k', 1025), "v"));
        tooLong.Detail!.ShouldContain("1025 bytes");
        var tooBig = await Should.ThrowAsync<InvalidRequestException>(() => _client.SetAsync("big", new string('v', (1024 * 1024) + 1)));
        tooBig.StatusCode.ShouldBe(System.Net.HttpStatusCode.RequestEntityTooLarge);
        await Should.ThrowAsync<InvalidRequestException>(() => _client.SetAsync("t", "v", TimeSpan.FromDays(365 * 20)));
    }

    [Fact]
    public async Task scan_follows_the_cursor_across_pages()
    {
        for (var i = 0; i < 23; i++)
        {
            await _client.SetAsync($"scan/{i:D2}", "x");
        }

        var keys = new List<string>();
        await foreach (var item in _client.ScanAsync("scan/", pageSize: 5))
        {
            keys.Add(item.Key);
        }

        keys.ShouldBe(Enumerable.Range(0, 23).Select(i => $"scan/{i:D2}"));
    }

    [Fact]
    public async Task cluster_calls_and_health_describe_the_node()
    {
        (await _client.GetClusterInfoAsync()).NodeId.ShouldBe("node-1");
        (await _client.GetNodesAsync()).Single().State.ShouldBe("up");
        var shards = await _client.GetShardsAsync();
        shards.Count.ShouldBe(8);
        shards.ShouldAllBe(s => s.Replicas.Single().Role == "leader");
        await _client.SetAsync("live/metrics", "x");
        (await _client.GetMetricsAsync()).Cluster.Writes.ShouldBeGreaterThan(0);
        (await _client.GetHealthAsync()).Status.ShouldBe(NodeHealthStatus.Healthy);
    }
}
