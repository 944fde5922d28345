using System.Net;

namespace NodeNomad.Client.Tests;

public sealed class ClusterAndHealth
{
    private const string HealthReport = """
        {"status":"Degraded","checks":[
          {"name":"storage","status":"Healthy","description":"fsync 2 ms"},
          {"name":"meta-quorum","status":"Degraded","description":null}]}
        """;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task cluster_calls_read_their_endpoints()
    {
        var node = new FakeNode()
            .AnswersJson("""{"clusterId":"c-1","nodeId":"node-1","version":"0.1.0","shardCount":8,"replicationFactor":3,"metaLeaderId":null,"health":"healthy","warnings":[]}""")
            .AnswersJson("""[{"id":"node-1","clientUrl":"http://node-1:3001","state":"up","replicas":[0,1],"leaderships":[1],"version":"0.1.0","startedAt":"2030-01-01T00:00:00+00:00"}]""")
            .AnswersJson("""[{"id":0,"rangeStart":"0000000000000000","rangeEnd":"1fffffffffffffff","leaderId":"node-1","epoch":2,"replicas":[{"nodeId":"node-1","role":"leader"}],"keys":10,"bytes":300,"commitIndex":40,"appliedIndex":40,"readsPerSecond":1.5,"writesPerSecond":0.5}]""")
            .AnswersJson("""{"nodeId":"node-1","cluster":{"nodes":1,"nodesReporting":1,"reads":10,"writes":5,"readsPerSecond":1,"writesPerSecond":0.5,"writeLatencyP99Milliseconds":3.2,"logBytes":4096,"syncedBatches":5,"snapshots":0},"nodes":[{"nodeId":"node-1","state":"up","reads":10,"writes":5,"readsPerSecond":1,"writesPerSecond":0.5,"writeLatencyP99Milliseconds":3.2,"logBytes":4096,"logSegments":1,"syncedBatches":5,"averageBatchSize":1,"lastSyncMilliseconds":0.8,"snapshots":0}]}""");
        var client = node.Client();

        var info = await client.GetClusterInfoAsync(Ct);
        var nodes = await client.GetNodesAsync(Ct);
        var shards = await client.GetShardsAsync(Ct);
        var metrics = await client.GetMetricsAsync(Ct);

        info.ShardCount.ShouldBe(8);
        info.MetaLeaderId.ShouldBeNull();
        nodes.ShouldHaveSingleItem().Leaderships.ShouldBe([1]);
        shards.ShouldHaveSingleItem().Replicas.ShouldHaveSingleItem().Role.ShouldBe("leader");
        metrics.Cluster.WriteLatencyP99Milliseconds.ShouldBe(3.2);
        metrics.Nodes.ShouldHaveSingleItem().State.ShouldBe("up");
        node.Requests.Select(r => r.Uri.AbsolutePath).ShouldBe(
            ["/api/v1/cluster/info", "/api/v1/cluster/nodes", "/api/v1/cluster/shards", "/api/v1/cluster/metrics"]);
    }

    [Fact]
    public async Task health_reads_the_report_and_its_checks()
    {
        var node = new FakeNode().AnswersJson(HealthReport);

        var health = await node.Client().GetHealthAsync(Ct);

        node.LastRequest.Uri.AbsolutePath.ShouldBe("/health");
        health.Status.ShouldBe(NodeHealthStatus.Degraded);
        health.Checks.Select(c => (c.Name, c.Status)).ShouldBe(
            [("storage", NodeHealthStatus.Healthy), ("meta-quorum", NodeHealthStatus.Degraded)]);
        health.Checks[0].Description.ShouldBe("fsync 2 ms");
    }

    [Fact]
    public async Task an_unhealthy_node_answering_503_returns_its_report_instead_of_throwing()
    {
        var node = new FakeNode().AnswersJson(
            """{"status":"Unhealthy","checks":[{"name":"storage","status":"Unhealthy","description":"disk full"}]}""",
            HttpStatusCode.ServiceUnavailable);

        var health = await node.Client().GetHealthAsync(Ct);

        health.Status.ShouldBe(NodeHealthStatus.Unhealthy);
        health.Checks.ShouldHaveSingleItem().Description.ShouldBe("disk full");
    }

    [Fact]
    public async Task a_503_without_a_report_is_cluster_unavailable()
    {
        var node = new FakeNode().Answers(_ => new HttpResponseMessage(HttpStatusCode.ServiceUnavailable));

        await Should.ThrowAsync<ClusterUnavailableException>(() => node.Client().GetHealthAsync(Ct));
    }
}
