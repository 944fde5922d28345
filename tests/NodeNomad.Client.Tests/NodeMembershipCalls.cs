using System.Net;

namespace NodeNomad.Client.Tests;

/// <summary>Draining, undraining and removing a node through the typed client: the routes it calls, and a refusal as a typed exception.</summary>
public sealed class NodeMembershipCalls
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task drain_undrain_and_remove_call_the_node_routes_and_return_the_new_membership()
    {
        var node = new FakeNode().AnswersJson("""{"nodeId":"node-3","membership":"draining","detail":"node-3 hands its leaderships and then its replicas to other nodes"}""");
        var client = node.Client();

        var drained = await client.DrainNodeAsync("node-3", Ct);
        drained.Membership.ShouldBe("draining");
        drained.Detail.ShouldContain("hands its leaderships");
        (node.LastRequest.Method, node.LastRequest.Uri.AbsolutePath).ShouldBe((HttpMethod.Post, "/api/v1/cluster/nodes/node-3/drain"));

        await client.UndrainNodeAsync("node-3", Ct);
        (node.LastRequest.Method, node.LastRequest.Uri.AbsolutePath).ShouldBe((HttpMethod.Post, "/api/v1/cluster/nodes/node-3/undrain"));

        await client.RemoveNodeAsync("node-3", Ct);
        (node.LastRequest.Method, node.LastRequest.Uri.AbsolutePath).ShouldBe((HttpMethod.Delete, "/api/v1/cluster/nodes/node-3"));
    }

    [Fact]
    public async Task removing_a_node_that_still_holds_replicas_is_an_invalid_request_saying_why()
    {
        var node = new FakeNode().AnswersProblem(HttpStatusCode.Conflict,
            new { title = "Conflict", status = 409, detail = "node-3 is up and still holds replicas of shard-0: drain it first." });

        var error = await Should.ThrowAsync<InvalidRequestException>(() => node.Client().RemoveNodeAsync("node-3", Ct));

        error.StatusCode.ShouldBe(HttpStatusCode.Conflict);
        error.Detail.ShouldBe("node-3 is up and still holds replicas of shard-0: drain it first.");
    }
}
