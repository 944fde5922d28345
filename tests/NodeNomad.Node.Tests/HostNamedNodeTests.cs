using System.Net;
using NodeNomad.Contracts;
using NodeNomad.Testing;

namespace NodeNomad.Node.Tests;

/// <summary>
/// A container without a volume: a real node process without <c>NODE_ID</c> takes its id from its host name, keeps
/// its log in PostgreSQL under that id, and a new process on an empty data folder (a new container on the same host
/// name) comes back as the same node with its keys.
/// </summary>
[Collection(LocalClusters.Name)]
public sealed class HostNamedNodeTests(PostgresServer postgres) : IClassFixture<PostgresServer>
{
    [Fact]
    public async Task a_node_named_by_its_host_keeps_its_id_and_keys_when_started_again_on_an_empty_folder()
    {
        var environment = new Dictionary<string, string>
        {
            ["NODE_ID"] = "",
            ["NODE_ID_FROM"] = "hostname",
            ["STORAGE"] = "marten",
            ["MARTEN_CONNECTION"] = postgres.ConnectionString,
            ["MARTEN_SCHEMA"] = $"nn_host_{Guid.NewGuid():N}"[..20],
        };
        var expected = Dns.GetHostName().Split('.')[0];

        string firstClusterId;
        await using (var first = await NodeProcess.StartAsync(environment: environment))
        {
            using var http = new HttpClient { BaseAddress = first.BaseAddress };
            var info = await (await http.GetAsync(new Uri("/api/v1/cluster/info", UriKind.Relative))).BodyAsync<ClusterInfo>();
            info.NodeId.ShouldBe(expected);
            firstClusterId = info.ClusterId;
            (await http.SetAsync("kept", "in postgres")).StatusCode.ShouldBe(HttpStatusCode.OK);
            first.Kill();
        }

        await using var second = await NodeProcess.StartAsync(environment: environment);
        using var again = new HttpClient { BaseAddress = second.BaseAddress };
        var restarted = await (await again.GetAsync(new Uri("/api/v1/cluster/info", UriKind.Relative))).BodyAsync<ClusterInfo>();
        restarted.NodeId.ShouldBe(expected);
        restarted.ClusterId.ShouldBe(firstClusterId);
        var value = await (await again.GetAsync(Json.KeyPath("get", "kept"))).BodyAsync<KeyValue>();
        value.Value.ShouldBe("in postgres");
    }
}
