using System.Net.Http.Json;
using NodeNomad.Contracts;
using NodeNomad.Testing;

namespace NodeNomad.Node.Tests;

/// <summary>A node started alone forms a working cluster of one, and says that its replication factor is capped.</summary>
public sealed class LoneNodeTests
{
    [Fact]
    public async Task a_node_alone_caps_the_replication_factor_and_says_so_in_its_log_and_cluster_info()
    {
        await using var node = await NodeProcess.StartAsync();
        using var http = new HttpClient { BaseAddress = node.BaseAddress };
        var info = await http.GetFromJsonAsync<ClusterInfo>("/api/v1/cluster/info");

        info!.ShardCount.ShouldBe(8);
        info.ReplicationFactor.ShouldBe(1);
        info.Warnings.ShouldContain(w => w.Contains("capped at 1", StringComparison.Ordinal));
        node.Output.ShouldContain("REPLICATION_FACTOR=3 is capped at 1");
        (await http.PostAsJsonAsync("/api/v1/set", new SetRequest("alone", "yes"))).EnsureSuccessStatusCode();
        (await http.GetFromJsonAsync<KeyValue>("/api/v1/get/alone"))!.Value.ShouldBe("yes");
    }
}
