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

    [Fact]
    public async Task bytes_round_trip_as_bytes_and_compare_and_set_works_on_them()
    {
        byte[] blob = [0x00, 0xFF, 0xED, 0xA0, 0x80];

        var written = await _client.SetBytesAsync("live/blob", blob, TimeSpan.FromMinutes(1));
        var read = await _client.GetBytesAsync("live/blob");
        var json = await _client.GetAsync("live/blob");

        read.ShouldNotBeNull();
        read.Value.ToArray().ShouldBe(blob);
        read.IsBinary.ShouldBeTrue();
        read.Version.ShouldBe(written.Version);
        read.ExpiresAt.ShouldNotBeNull();
        json!.Encoding.ShouldBe("base64");
        json.GetBytes().ShouldBe(blob);

        await Should.ThrowAsync<VersionConflictException>(() => _client.CompareAndSetBytesAsync("live/blob", written.Version + 5, new byte[] { 1 }));
        var swapped = await _client.CompareAndSetBytesAsync("live/blob", written.Version, new byte[] { 1, 2, 3 });
        (await _client.GetBytesAsync("live/blob"))!.Value.ToArray().ShouldBe(new byte[] { 1, 2, 3 });
        (await _client.GetBytesAsync("live/blob"))!.Version.ShouldBe(swapped.Version);
        (await _client.DeleteAsync("live/blob")).ShouldBeTrue();
        (await _client.GetBytesAsync("live/blob")).ShouldBeNull();
    }

    [Fact]
    public async Task a_text_value_read_as_bytes_is_its_utf8()
    {
        await _client.SetAsync("live/text-as-bytes", "värde €");

        var read = await _client.GetBytesAsync("live/text-as-bytes");

        read!.Value.ToArray().ShouldBe("värde €"u8.ToArray());
        read.IsBinary.ShouldBeFalse();
    }

    [Fact]
    public async Task a_binary_value_over_one_mebibyte_is_refused_with_the_limit()
    {
        var refused = await Should.ThrowAsync<NodeNomadException>(() => _client.SetBytesAsync("live/too-big", new byte[(1024 * 1024) + 1]));

        refused.StatusCode.ShouldBe(System.Net.HttpStatusCode.RequestEntityTooLarge);
        refused.Message.ShouldContain("1048576");
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
