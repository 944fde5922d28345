using System.Net;
using System.Net.Http.Json;
using NodeNomad.Contracts;
using NodeNomad.Testing;
using static NodeNomad.Node.Tests.MigrationProbe;

namespace NodeNomad.Node.Tests;

/// <summary>
/// Four nodes and one shard at factor 3, the load rebalancer off: one node holds no replica and forwards every key
/// request it gets. Started once that node's writes are served by the shard's leader.
/// </summary>
internal static class OneShardBesideAnEntryNode
{
    /// <summary>The cluster (the caller disposes it), the shard as it is led now, and the node without a replica.</summary>
    public static async Task<(LocalCluster Cluster, ShardInfo Shard, NodeProcess Entry)> StartAsync()
    {
        var cluster = await LocalCluster.StartAsync(4, new Dictionary<string, string>
        {
            ["SHARD_COUNT"] = "1",
            ["REPLICATION_FACTOR"] = "3",
        });
        try
        {
            using var control = HttpTo(cluster.Nodes[0]);
            (await control.PutAsJsonAsync("/api/v1/cluster/rebalancer", new { enabled = false })).StatusCode.ShouldBe(HttpStatusCode.OK);
            await Eventually(async () => (await ShardAsync(control, 0)).LeaderId is not null, "the shard has a leader", MoveTimeout);
            var shard = await ShardAsync(control, 0);
            var entry = cluster.Nodes.First(n => shard.Replicas.All(r => r.NodeId != n.NodeId));

            // The entry node learns who leads from its peers' reports, and forwards there.
            using var http = HttpTo(entry);
            await Eventually(async () =>
            {
                using var first = await http.PostAsJsonAsync("/api/v1/set", new SetRequest("first", "1"));
                return first.StatusCode == HttpStatusCode.OK && first.Headers.GetValues("X-NodeNomad-Served-By").Single() == shard.LeaderId;
            }, "a write through the entry node is served by the leader", MoveTimeout);
            return (cluster, shard, entry);
        }
        catch
        {
            await cluster.DisposeAsync();
            throw;
        }
    }
}
