using System.Globalization;
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
        info.MetaTerm.ShouldBeGreaterThan(0);
    }

    [Fact]
    public async Task cluster_info_names_the_meta_group_and_no_shard_stands_for_the_cluster()
    {
        var info = await Get<JsonElement>("/api/v1/cluster/info");

        info.TryGetProperty("leaderId", out _).ShouldBeFalse();
        info.TryGetProperty("term", out _).ShouldBeFalse();
        info.GetProperty("metaLeaderId").GetString().ShouldBe("node-7");
        info.GetProperty("metaTerm").GetInt64().ShouldBeGreaterThan(0);
    }

    [Fact]
    public async Task cluster_nodes_label_the_meta_group_figures()
    {
        var node = (await Get<JsonElement>("/api/v1/cluster/nodes")).EnumerateArray().Single();

        node.GetProperty("metaRole").GetString().ShouldBe("leader");
        node.GetProperty("metaTerm").GetInt64().ShouldBeGreaterThan(0);
        node.GetProperty("metaCommitIndex").GetInt64().ShouldBeGreaterThan(0);
        node.GetProperty("metaAppliedIndex").GetInt64().ShouldBeGreaterThan(0);
        node.TryGetProperty("role", out _).ShouldBeFalse();
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
        var before = (await Get<ClusterMetrics>("/api/v1/cluster/metrics")).Nodes.ShouldHaveSingleItem();
        await _http.SetAsync("a", "1");
        await _http.GetAsync(Json.KeyPath("get", "a"));
        var metrics = await Get<ClusterMetrics>("/api/v1/cluster/metrics");
        var after = metrics.Nodes.ShouldHaveSingleItem();
        (after.Writes - before.Writes).ShouldBe(1);
        (after.Reads - before.Reads).ShouldBe(1);

        // One write alone is one durable batch (the group's start-up entries are batches of their own).
        (after.SyncedBatches - before.SyncedBatches).ShouldBe(1);
        after.AverageBatchSize.ShouldBeGreaterThanOrEqualTo(1);
        after.LogBytes.ShouldBeGreaterThan(0);
        after.State.ShouldBe("up");
        metrics.Cluster.NodesReporting.ShouldBe(1);
        metrics.Cluster.Writes.ShouldBe(after.Writes);
        metrics.Cluster.LogBytes.ShouldBe(after.LogBytes);
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
    public async Task every_nodenomad_series_is_documented()
    {
        await _http.SetAsync("a", "1");
        var text = await (await _http.GetAsync(new Uri("/metrics", UriKind.Relative))).Content.ReadAsStringAsync();
        var documented = await File.ReadAllTextAsync(Path.Combine(RepositoryRoot(), "docs", "metrics.md"));

        var series = text.Split('\n').Where(line => line.StartsWith("# TYPE nodenomad_", StringComparison.Ordinal)).Select(line => line.Split(' ')[2]).ToList();
        series.ShouldNotBeEmpty();
        series.Where(name => !documented.Contains($"`{name}`", StringComparison.Ordinal)).ShouldBeEmpty("series missing from docs/metrics.md");
    }

    [Fact]
    public async Task the_runtime_and_the_loop_report_what_tail_latency_comes_from()
    {
        await _http.SetAsync("a", "1");
        var text = await (await _http.GetAsync(new Uri("/metrics", UriKind.Relative))).Content.ReadAsStringAsync();

        var series = text.Split('\n').Where(line => line.StartsWith("# TYPE ", StringComparison.Ordinal)).Select(line => line.Split(' ')[2]).ToList();
        series.ShouldContain("nodenomad_loop_pass_duration_milliseconds");
        series.ShouldContain("dotnet_gc_pause_time_seconds_total");
        series.ShouldContain("dotnet_jit_compilation_time_seconds_total");
        series.ShouldContain("dotnet_thread_pool_queue_length_total");
        text.ShouldContain("nodenomad_loop_pass_duration_milliseconds_count");

        // Fine buckets below 10 ms, where a p99 target is judged.
        foreach (var bound in new[] { "0.5", "1", "2", "5", "7.5", "10" })
        {
            text.ShouldContain($"nodenomad_kv_operation_duration_milliseconds_bucket{{otel_scope_name=\"NodeNomad.Node\",operation=\"set\",le=\"{bound}\"}}");
            text.ShouldContain($"nodenomad_loop_pass_duration_milliseconds_bucket{{otel_scope_name=\"NodeNomad.Node\",le=\"{bound}\"}}");
        }
    }

    [Fact]
    public async Task the_elections_a_node_won_are_counted_by_role()
    {
        await _http.SetAsync("a", "1");
        var text = await (await _http.GetAsync(new Uri("/metrics", UriKind.Relative))).Content.ReadAsStringAsync();

        // A node alone leads every group it hosts (the meta group and its shards), each won by one election. (Nodes other
        // tests start in this process export through the same meter name, so there may be a series for each.)
        var leaders = text.Split('\n').Where(line => line.StartsWith("nodenomad_raft_role_changes_total{", StringComparison.Ordinal)
            && line.Contains("role=\"leader\"", StringComparison.Ordinal)).ToList();
        leaders.ShouldNotBeEmpty();
        var won = leaders.Max(line => double.Parse(line[(line.IndexOf('}', StringComparison.Ordinal) + 1)..].Split(' ', StringSplitOptions.RemoveEmptyEntries)[0], CultureInfo.InvariantCulture));
        won.ShouldBeGreaterThanOrEqualTo(2);
    }

    private static string RepositoryRoot()
    {
        var directory = new DirectoryInfo(AppContext.BaseDirectory);
        while (directory is not null && !File.Exists(Path.Combine(directory.FullName, "NodeNomad.sln")))
        {
            directory = directory.Parent;
        }

        return directory?.FullName ?? throw new InvalidOperationException($"No NodeNomad.sln above {AppContext.BaseDirectory}.");
    }

    [Fact]
    public async Task prometheus_names_the_service_and_the_node()
    {
        var text = await (await _http.GetAsync(new Uri("/metrics", UriKind.Relative))).Content.ReadAsStringAsync();

        var target = text.Split('\n').Single(line => line.StartsWith("target_info{", StringComparison.Ordinal));
        target.ShouldContain("service_name=\"nodenomad-node\"");
        target.ShouldContain("nodenomad_node_id=\"node-7\"");
        target.ShouldContain("service_instance_id=\"node-7\"");
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
