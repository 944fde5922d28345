using System.Net;
using NodeNomad.Contracts;
using NodeNomad.Node.Security;
using NodeNomad.Testing;

namespace NodeNomad.Node.Tests.Security;

/// <summary>
/// Three real node processes with a bootstrap token: a key created through one node works on every node (writes
/// forwarded to the shard's leader included), a revoked one nowhere, and no node's log holds a token or the secret.
/// </summary>
[Collection(LocalClusters.Name)]
public sealed class KeyReplicationTests
{
    private const string ClusterSecret = "local-cluster-test-secret";

    [Fact]
    public async Task a_key_created_through_one_node_works_on_every_node_and_once_revoked_on_none_and_no_log_shows_a_secret()
    {
        await using var cluster = await LocalCluster.StartAsync(3, new Dictionary<string, string>
        {
            [ClientAccessOptions.Keys.AdminToken] = SecuredNode.AdminToken,
            ["SHARD_COUNT"] = "3",
            ["Logging__LogLevel__Default"] = "Debug",
        });
        var nodes = cluster.Nodes;
        using var admin1 = SecuredNode.Client(nodes[0].BaseAddress, SecuredNode.AdminToken);
        var writer = await SecuredNode.CreateKeyAsync(admin1, "service", ApiScopes.Read, ApiScopes.Write);
        var reader = await SecuredNode.CreateKeyAsync(admin1, "dashboard", ApiScopes.Read);

        foreach (var node in nodes)
        {
            using var write = SecuredNode.Client(node.BaseAddress, writer.Token);
            using var read = SecuredNode.Client(node.BaseAddress, reader.Token);
            await EventuallyAsync(async () => (await write.GetAsync(new Uri("/api/v1/cluster/info", UriKind.Relative))).StatusCode == HttpStatusCode.OK, $"the key works on {node.NodeId}");

            // Keys of three shards: most are led by another node, so the writes are forwarded and authorized once, here.
            foreach (var key in new[] { "alpha", "bravo", "charlie", "delta" })
            {
                (await write.SetAsync($"{key}-{node.NodeId}", "v")).StatusCode.ShouldBe(HttpStatusCode.OK, $"{key} through {node.NodeId}");
                (await read.SetAsync($"{key}-{node.NodeId}", "v")).StatusCode.ShouldBe(HttpStatusCode.Forbidden, $"{key} through {node.NodeId}");
            }

            (await read.GetAsync(Json.KeyPath("get", $"alpha-{node.NodeId}"))).StatusCode.ShouldBe(HttpStatusCode.OK);
        }

        using var admin3 = SecuredNode.Client(nodes[2].BaseAddress, SecuredNode.AdminToken);
        (await admin3.DeleteAsync(new Uri($"/api/v1/admin/keys/{writer.Id}", UriKind.Relative))).StatusCode.ShouldBe(HttpStatusCode.NoContent);
        foreach (var node in nodes)
        {
            using var write = SecuredNode.Client(node.BaseAddress, writer.Token);
            await EventuallyAsync(async () => (await write.GetAsync(new Uri("/api/v1/cluster/info", UriKind.Relative))).StatusCode == HttpStatusCode.Unauthorized, $"the key is revoked on {node.NodeId}");
            using var listing = SecuredNode.Client(node.BaseAddress, SecuredNode.AdminToken);
            (await listing.GetStringAsync(new Uri("/api/v1/admin/keys", UriKind.Relative))).ShouldNotContain(writer.Id);
        }

        foreach (var node in nodes)
        {
            var output = node.Output;
            output.Length.ShouldBeGreaterThan(0, $"{node.NodeId} logged something");
            output.ShouldNotContain(SecuredNode.AdminToken, customMessage: $"{node.NodeId}'s log holds the admin token");
            output.ShouldNotContain(writer.Token, customMessage: $"{node.NodeId}'s log holds a key's token");
            output.ShouldNotContain(reader.Token, customMessage: $"{node.NodeId}'s log holds a key's token");
            output.ShouldNotContain(ApiTokens.Hash(reader.Token), customMessage: $"{node.NodeId}'s log holds a key's hash");
            output.ShouldNotContain(ClusterSecret, customMessage: $"{node.NodeId}'s log holds the cluster secret");
        }
    }

    private static async Task EventuallyAsync(Func<Task<bool>> condition, string what)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(20);
        while (!await condition())
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"Not so within 20 s: {what}.");
            }

            await Task.Delay(100);
        }
    }
}
