using System.Net;
using System.Text.Json;
using System.Text.Json.Serialization;
using NodeNomad.Contracts;

namespace NodeNomad.Client.Tests;

/// <summary>The node client and the shard-aware client are one <see cref="INodeNomadClient"/> to the application.</summary>
public sealed class OneInterfaceForBothClients
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    /// <summary>Application code written against the interface only.</summary>
    private static async Task<string?> RoundTripAsync(INodeNomadClient client)
    {
        await client.SetAsync("greeting", "v", cancellationToken: Ct);
        return (await client.GetAsync("greeting", Ct))?.Value;
    }

    [Fact]
    public async Task the_same_code_runs_on_the_node_client_and_the_cluster_client()
    {
        var node = new FakeNode().AnswersJson(Answers.Written).AnswersJson(Answers.Value("greeting"));
        var cluster = new FakeCluster(3, 4);

        (await RoundTripAsync(node.Client())).ShouldBe("v");
        (await RoundTripAsync(cluster.Client())).ShouldBe("v");
    }

    [Fact]
    public async Task the_cluster_client_answers_cluster_info_nodes_shards_and_health()
    {
        var cluster = new FakeCluster(3, 4);
        var client = cluster.Client();

        (await client.GetClusterInfoAsync(Ct)).MetaLeaderId.ShouldBe("node-1");
        (await client.GetNodesAsync(Ct)).Select(n => n.Id).ShouldBe(["node-1", "node-2", "node-3"]);
        (await client.GetShardsAsync(Ct)).Count.ShouldBe(4);
        (await client.GetHealthAsync(Ct)).Status.ShouldBe(NodeHealthStatus.Unhealthy);
    }

    [Fact]
    public async Task a_key_answer_says_which_shard_served_it_at_which_epoch()
    {
        var cluster = new FakeCluster(3, 4);
        var shard = cluster.ShardOf("greeting");
        shard.Epoch = 5;
        var client = cluster.Client();

        var written = await client.SetAsync("greeting", "v", cancellationToken: Ct);
        var read = await client.GetAsync("greeting", Ct);

        written.ServedBy.ShouldBe(new ServedBy(shard.Id, 5));
        read.ShouldNotBeNull().ServedBy.ShouldBe(new ServedBy(shard.Id, 5));
    }

    [Fact]
    public async Task the_node_client_reads_the_shard_headers_too()
    {
        var node = new FakeNode().Answers(_ =>
        {
            var response = FakeNode.Json(HttpStatusCode.OK, Answers.Value("k"), "application/json");
            response.Headers.Add(RoutingHeaders.Shard, "3");
            response.Headers.Add(RoutingHeaders.ShardEpoch, "12");
            return response;
        });

        var value = await node.Client().GetAsync("k", Ct);

        value.ShouldNotBeNull().ServedBy.ShouldBe(new ServedBy(3, 12));
    }

    [Fact]
    public async Task typed_json_values_are_written_as_json_and_read_back()
    {
        var node = new FakeNode()
            .AnswersJson(Answers.Written)
            .AnswersJson("""{"key":"users/42","value":"{\"name\":\"Ada\",\"age\":36}","version":7,"expiresAt":null}""");
        var client = node.Client();

        await client.SetAsync("users/42", new User("Ada", 36), UserJson.Default.User, cancellationToken: Ct);
        var user = await client.GetAsync("users/42", UserJson.Default.User, Ct);

        JsonDocument.Parse(node.Requests[0].Body!).RootElement.GetProperty("value").GetString().ShouldBe("""{"name":"Ada","age":36}""");
        user.ShouldBe(new User("Ada", 36));
    }

    [Fact]
    public async Task an_absent_typed_value_is_null()
    {
        var node = new FakeNode().AnswersProblem(HttpStatusCode.NotFound, new { title = "Not found", status = 404 });

        (await node.Client().GetAsync("nobody", UserJson.Default.User, Ct)).ShouldBeNull();
    }
}

internal sealed record User(string Name, int Age);

[JsonSourceGenerationOptions(JsonSerializerDefaults.Web)]
[JsonSerializable(typeof(User))]
internal sealed partial class UserJson : JsonSerializerContext;
