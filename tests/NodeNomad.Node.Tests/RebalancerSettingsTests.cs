using System.Net;
using System.Net.Http.Json;
using Microsoft.Extensions.DependencyInjection;
using NodeNomad.Contracts;
using NodeNomad.Node.Transport;

namespace NodeNomad.Node.Tests;

/// <summary>The rebalancer's settings through the REST API of one node: defaults, partial changes, validation, and the cluster-wide snapshot bandwidth.</summary>
public sealed class RebalancerSettingsTests
{
    [Fact]
    public async Task a_cluster_that_never_set_them_answers_the_defaults()
    {
        using var node = new NodeFactory();
        var http = node.CreateClient();

        var info = (await http.GetFromJsonAsync<RebalancerInfo>("/api/v1/cluster/rebalancer", Json.Options))!;

        info.IsDefault.ShouldBeTrue();
        info.Settings.ShouldBe(new RebalancerSettingsInfo(true, 10, "requests", 1.25, 1.10, 120, 1, null, info.Settings.Weights));
        info.Settings.Weights.ShouldBeEmpty();
        (await http.GetFromJsonAsync<RebalancerDecisionInfo[]>("/api/v1/cluster/rebalancer/decisions", Json.Options))!.ShouldBeEmpty();
    }

    [Fact]
    public async Task a_change_keeps_the_fields_it_leaves_out_and_every_wrong_field_is_named()
    {
        using var node = new NodeFactory();
        var http = node.CreateClient();

        using (var changed = await http.PutAsJsonAsync("/api/v1/cluster/rebalancer", new { cooldownSeconds = 30, weights = new Dictionary<string, int> { ["node-1"] = 3 } }))
        {
            changed.StatusCode.ShouldBe(HttpStatusCode.OK);
            var settings = (await changed.Content.ReadFromJsonAsync<RebalancerInfo>(Json.Options))!.Settings;
            settings.CooldownSeconds.ShouldBe(30);
            settings.Threshold.ShouldBe(1.25);
            settings.Weights.ShouldBe(new Dictionary<string, int> { ["node-1"] = 3 });
        }

        using var refused = await http.PutAsJsonAsync("/api/v1/cluster/rebalancer", new { threshold = 1.2, hysteresis = 1.3, maxConcurrentMoves = 0, dimension = "cpu" });
        refused.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        var problem = await refused.Content.ReadFromJsonAsync<System.Text.Json.JsonElement>();
        problem.GetProperty("title").GetString().ShouldBe("Invalid rebalancer settings");
        problem.GetProperty("errors").EnumerateObject().Select(e => e.Name).ShouldBe(["dimension", "hysteresis", "maxConcurrentMoves"], ignoreOrder: true);
        problem.GetProperty("detail").GetString()!.ShouldContain("hysteresis must be at least 1 and below the threshold 1.2 (got 1.3)");
        (await http.GetFromJsonAsync<RebalancerInfo>("/api/v1/cluster/rebalancer", Json.Options))!.Settings.CooldownSeconds.ShouldBe(30, "a refused change changes nothing");
    }

    [Fact]
    public async Task a_snapshot_bandwidth_set_for_the_cluster_replaces_the_nodes_own_until_cleared()
    {
        using var node = new NodeFactory(new() { ["SNAPSHOT_BANDWIDTH_MIB"] = "16" });
        var http = node.CreateClient();
        var bandwidth = node.Services.GetRequiredService<PeerTransport>().Bandwidth;

        (await http.PutAsJsonAsync("/api/v1/cluster/rebalancer", new { snapshotBandwidthMiB = 3 })).StatusCode.ShouldBe(HttpStatusCode.OK);
        await MigrationProbe.Eventually(() => Task.FromResult(bandwidth.BytesPerSecond == 3L * 1024 * 1024), "the node sends snapshots at 3 MiB/s");

        (await http.PutAsJsonAsync("/api/v1/cluster/rebalancer", new { clearSnapshotBandwidth = true })).StatusCode.ShouldBe(HttpStatusCode.OK);
        await MigrationProbe.Eventually(() => Task.FromResult(bandwidth.BytesPerSecond == 16L * 1024 * 1024), "the node is back to its own 16 MiB/s");
    }
}
