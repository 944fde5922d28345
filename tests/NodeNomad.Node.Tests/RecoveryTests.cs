using System.Net;
using NodeNomad.Contracts;

namespace NodeNomad.Node.Tests;

/// <summary>A node restarted on its data folder serves what it acknowledged, from the log alone or from snapshot plus log.</summary>
public sealed class RecoveryTests
{
    [Fact]
    public async Task acknowledged_writes_survive_a_restart()
    {
        using var first = new NodeFactory(new() { ["SHARD_COUNT"] = "1" });
        var http = first.CreateClient();
        var versions = new Dictionary<string, long>();
        for (var i = 0; i < 50; i++)
        {
            versions[$"k{i}"] = (await (await http.SetAsync($"k{i}", $"v{i}")).BodyAsync<WriteResult>()).Version;
        }

        await http.DeleteAsync(Json.KeyPath("delete", "k7"));
        first.Dispose();

        using var second = first.Restart();
        var again = second.CreateClient();
        for (var i = 0; i < 50; i++)
        {
            var response = await again.GetAsync(Json.KeyPath("get", $"k{i}"));
            if (i == 7)
            {
                response.StatusCode.ShouldBe(HttpStatusCode.NotFound);
                continue;
            }

            (await response.BodyAsync<KeyValue>()).ShouldBe(new KeyValue($"k{i}", $"v{i}", versions[$"k{i}"], null));
        }

        // New writes continue the log after the recovered entries.
        (await (await again.SetAsync("after", "restart")).BodyAsync<WriteResult>()).Version.ShouldBeGreaterThan(versions.Values.Max() + 1);
    }

    [Fact]
    public async Task a_node_snapshots_past_the_threshold_and_recovers_from_snapshot_plus_tail()
    {
        using var first = new NodeFactory(new() { ["SNAPSHOT_ENTRIES"] = "20", ["SHARD_COUNT"] = "1" });
        var http = first.CreateClient();
        var versions = new long[75];
        for (var i = 0; i < 75; i++)
        {
            versions[i] = (await (await http.SetAsync($"key{i % 30}", $"value{i}")).BodyAsync<WriteResult>()).Version;
        }

        var metrics = await (await http.GetAsync(new Uri("/api/v1/cluster/metrics", UriKind.Relative))).BodyAsync<ClusterMetrics>();
        metrics.Cluster.Snapshots.ShouldBeGreaterThanOrEqualTo(3);

        // Every snapshot stored is timed: what the loop spent on it is what waiting writes were held.
        var scraped = await (await http.GetAsync(new Uri("/metrics", UriKind.Relative))).Content.ReadAsStringAsync();
        var timed = System.Text.RegularExpressions.Regex.Match(scraped, @"^nodenomad_snapshot_store_duration_milliseconds_count(\{[^}]*\})? (\d+)", System.Text.RegularExpressions.RegexOptions.Multiline);
        timed.Success.ShouldBeTrue(scraped);
        long.Parse(timed.Groups[2].Value, System.Globalization.CultureInfo.InvariantCulture).ShouldBe(metrics.Cluster.Snapshots);
        first.Dispose();

        using var second = first.Restart();
        var again = second.CreateClient();
        for (var i = 45; i < 75; i++)
        {
            var got = await (await again.GetAsync(Json.KeyPath("get", $"key{i % 30}"))).BodyAsync<KeyValue>();
            got.Value.ShouldBe($"value{i}");
            got.Version.ShouldBe(versions[i]);
        }

        var shards = await (await again.GetAsync(new Uri("/api/v1/cluster/shards", UriKind.Relative))).BodyAsync<ShardInfo[]>();
        shards[0].Keys.ShouldBe(30);
        shards[0].CommitIndex.ShouldBeGreaterThanOrEqualTo(versions[^1]);
    }
}
