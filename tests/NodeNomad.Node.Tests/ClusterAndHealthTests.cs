using System.Net;
using System.Text.Json;
using NodeNomad.Contracts;

namespace NodeNomad.Node.Tests;

/// <summary>The cluster endpoints describe a lone node truthfully; health, metrics and OpenAPI answer.</summary>
public sealed class ClusterAndHealthTests : IDisposable
{
    private readonly NodeFactory _node = new(new() { ["NODE_ID"] = "node-7" });
    private readonly HttpClient _http;

    public ClusterAndHealthTests() => _http = _node.CreateClient();

    public void Dispose() => _node.Dispose();

    private async Task<T> Get<T>(string path) => await (await _http.GetAsync(new Uri(path, UriKind.Relative))).BodyAsync<T>();

    [Fact]
    public async Task cluster_info_describes_a_one_node_cluster()
    {
        var info = await Get<ClusterInfo>("/api/v1/cluster/info");
        info.NodeId.ShouldBe("node-7");
        info.ShardCount.ShouldBe(8);
        info.ReplicationFactor.ShouldBe(1);
        info.Warnings.ShouldContain(w => w.Contains("capped at 1", StringComparison.Ordinal));
        info.MetaLeaderId.ShouldBe("node-7");
        info.Health.ShouldBe("healthy");
        info.ClusterId.ShouldNotBeNullOrWhiteSpace();
        info.Warnings.ShouldContain(w => w.Contains("Single node", StringComparison.Ordinal));
    }

    [Fact]
    public async Task the_cluster_id_is_kept_across_restarts()
    {
        var before = (await Get<ClusterInfo>("/api/v1/cluster/info")).ClusterId;
        _node.Dispose();
        using var again = _node.Restart();
        var after = await (await again.CreateClient().GetAsync(new Uri("/api/v1/cluster/info", UriKind.Relative))).BodyAsync<ClusterInfo>();
        after.ClusterId.ShouldBe(before);
    }

    [Fact]
    public async Task nodes_and_shards_use_the_documented_wire_names()
    {
        await _http.SetAsync("a", "1");
        await _http.SetAsync("b", "22");
        var nodes = await Get<JsonElement>("/api/v1/cluster/nodes");
        var node = nodes.EnumerateArray().Single();
        node.GetProperty("id").GetString().ShouldBe("node-7");
        node.GetProperty("state").GetString().ShouldBe("up");
        node.GetProperty("clientUrl").GetString().ShouldBe("http://localhost:3001");
        node.GetProperty("peerAddress").GetString().ShouldBe("localhost:4001");
        node.GetProperty("replicas").GetArrayLength().ShouldBe(8);
        node.GetProperty("leaderships").GetArrayLength().ShouldBe(8);
        node.TryGetProperty("writesPerSecond", out _).ShouldBeTrue();

        var shards = (await Get<JsonElement>("/api/v1/cluster/shards")).EnumerateArray().ToList();
        shards.Count.ShouldBe(8);
        shards[0].GetProperty("id").GetInt32().ShouldBe(0);
        shards[0].GetProperty("rangeStart").GetString().ShouldBe("0000000000000000");
        shards[0].GetProperty("rangeEnd").GetString().ShouldBe("1fffffffffffffff");
        shards[^1].GetProperty("rangeEnd").GetString().ShouldBe("ffffffffffffffff");
        shards.Sum(s => s.GetProperty("keys").GetInt64()).ShouldBe(2);
        shards.Sum(s => s.GetProperty("bytes").GetInt64()).ShouldBe(5);
        var shard = shards[(int)(KeyPosition.Of("a") >> 61)];
        shard.GetProperty("keys").GetInt64().ShouldBeGreaterThanOrEqualTo(1, "key a lives in the shard whose range holds its hash");
        shard.GetProperty("leaderId").GetString().ShouldBe("node-7");
        shard.GetProperty("epoch").GetInt64().ShouldBe(1);
        var replica = shard.GetProperty("replicas").EnumerateArray().Single();
        replica.GetProperty("nodeId").GetString().ShouldBe("node-7");
        replica.GetProperty("role").GetString().ShouldBe("leader");
    }

    [Fact]
    public async Task cluster_metrics_count_writes_reads_and_durable_batches()
    {
        var before = await Get<ClusterMetrics>("/api/v1/cluster/metrics");
        await _http.SetAsync("a", "1");
        await _http.GetAsync(Json.KeyPath("get", "a"));
        var after = await Get<ClusterMetrics>("/api/v1/cluster/metrics");
        (after.Writes - before.Writes).ShouldBe(1);
        (after.Reads - before.Reads).ShouldBe(1);

        // One write alone is one durable batch (the group's start-up entries are batches of their own).
        (after.SyncedBatches - before.SyncedBatches).ShouldBe(1);
        after.AverageBatchSize.ShouldBeGreaterThanOrEqualTo(1);
        after.LogBytes.ShouldBeGreaterThan(0);
    }

    [Theory]
    [InlineData("/health")]
    [InlineData("/health/live")]
    [InlineData("/health/ready")]
    public async Task health_endpoints_answer_healthy(string path)
    {
        var response = await _http.GetAsync(new Uri(path, UriKind.Relative));
        response.StatusCode.ShouldBe(HttpStatusCode.OK);
        (await response.BodyAsync<JsonElement>()).GetProperty("status").GetString().ShouldBe("Healthy");
    }

    [Fact]
    public async Task ready_reports_the_storage_and_recovery_checks()
    {
        var body = await Get<JsonElement>("/health/ready");
        body.GetProperty("checks").EnumerateArray().Select(c => c.GetProperty("name").GetString()).ShouldBe(["recovery", "storage"], ignoreOrder: true);
    }

    [Fact]
    public async Task metrics_are_exported_in_prometheus_text()
    {
        await _http.SetAsync("a", "1");
        var response = await _http.GetAsync(new Uri("/metrics", UriKind.Relative));
        response.StatusCode.ShouldBe(HttpStatusCode.OK);
        var text = await response.Content.ReadAsStringAsync();
        text.ShouldContain("nodenomad_kv_operations");
        text.ShouldContain("nodenomad_log_sync_duration");
        text.ShouldContain("nodenomad_log_batch_size");
        text.ShouldContain("nodenomad_kv_keys");
    }

    [Fact]
    public async Task the_openapi_document_lists_the_api()
    {
        var doc = await Get<JsonElement>("/openapi/v1.json");
        var paths = doc.GetProperty("paths").EnumerateObject().Select(p => p.Name).ToList();
        paths.ShouldContain("/api/v1/set");
        paths.ShouldContain("/api/v1/cas");
        paths.ShouldContain("/api/v1/keys");
        paths.ShouldContain("/api/v1/cluster/info");
    }
}
