using System.Diagnostics;

namespace NodeNomad.Client.Tests;

/// <summary>Clients made directly over the caller's HttpClient emit the spans and measurements a registered client does.</summary>
public sealed class ClientsMadeWithoutInjectionAreObserved
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task a_node_client_made_by_create_emits_a_span_and_a_duration_per_operation()
    {
        var node = new FakeNode().AnswersJson(Answers.Written).AnswersJson(Answers.Value("k"));
        using var signals = new ClientSignals();
        var client = NodeNomadClient.Create(new HttpClient(node) { BaseAddress = FakeNode.Address });

        await client.SetAsync("k", "v", cancellationToken: Ct);
        await client.GetAsync("k", Ct);

        signals.Spans.Select(s => s.OperationName).ShouldBe(["set", "get"]);
        var set = signals.Spans.First();
        set.Kind.ShouldBe(ActivityKind.Client);
        set.GetTagItem("db.system.name").ShouldBe("nodenomad");
        set.GetTagItem("server.address").ShouldBe("node-1.test");
        set.GetTagItem("server.port").ShouldBe(3001);
        set.GetTagItem("db.response.status_code").ShouldBe("200");
        signals.Durations.Select(d => d.Tags["db.operation.name"]).ShouldBe(["set", "get"]);
        node.Requests.Count.ShouldBe(2);
    }

    [Fact]
    public async Task a_cluster_client_made_with_new_emits_a_span_and_a_duration_per_request()
    {
        var cluster = new FakeCluster(3, 4);
        using var signals = new ClientSignals();
        var client = cluster.Client();

        await client.SetAsync("greeting", "v", cancellationToken: Ct);

        // The shard map is read first, then the write goes to the key's leader: both are observed.
        signals.Spans.Select(s => s.OperationName).ShouldContain("cluster.shards");
        var set = signals.Spans.Where(s => s.OperationName == "set").ShouldHaveSingleItem();
        set.GetTagItem("server.address").ShouldBe(FakeCluster.UrlOf(cluster.ShardOf("greeting").LeaderId!).Host);
        set.GetTagItem("db.response.status_code").ShouldBe("200");
        signals.Durations.ShouldContain(d => (string?)d.Tags["db.operation.name"] == "set" && d.Seconds >= 0);
    }

    [Fact]
    public async Task a_refused_operation_is_a_span_marked_as_an_error()
    {
        var node = new FakeNode().AnswersProblem(System.Net.HttpStatusCode.BadRequest, new { title = "Invalid request", status = 400, detail = "no" });
        using var signals = new ClientSignals();
        var client = NodeNomadClient.Create(new HttpClient(node) { BaseAddress = FakeNode.Address });

        await Should.ThrowAsync<InvalidRequestException>(() => client.SetAsync("k", "v", cancellationToken: Ct));

        var span = signals.Spans.ShouldHaveSingleItem();
        span.Status.ShouldBe(ActivityStatusCode.Error);
        span.GetTagItem("error.type").ShouldBe("400");
    }
}
