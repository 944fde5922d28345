using Polly.Timeout;

namespace NodeNomad.Client.Tests;

public sealed class UnknownWriteOutcomesAreNotRetried
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task a_write_whose_connection_dropped_after_sending_fails_with_the_transport_error()
    {
        var cluster = new FakeCluster(nodes: 3, shardCount: 3);
        cluster.Then(cluster.ShardOf("k").LeaderId!, _ => throw new HttpRequestException(HttpRequestError.ResponseEnded, "The response ended prematurely."));

        await Should.ThrowAsync<HttpRequestException>(() => cluster.Client().SetAsync("k", "v", cancellationToken: Ct));

        cluster.RequestsFor("k").Count.ShouldBe(1);
    }

    [Fact]
    public async Task a_write_that_times_out_after_sending_fails_with_a_timeout_and_is_not_sent_again()
    {
        var cluster = new FakeCluster(nodes: 1, shardCount: 1);
        cluster.Then("node-1", async (_, cancellationToken) =>
        {
            await Task.Delay(TimeSpan.FromSeconds(30), cancellationToken);
            return FakeCluster.Ok(Answers.Written);
        });
        var client = cluster.Client(o => o.AttemptTimeout = TimeSpan.FromMilliseconds(200));

        await Should.ThrowAsync<TimeoutRejectedException>(() => client.CompareAndSetAsync("k", 3, "v", cancellationToken: Ct));

        cluster.RequestsFor("k").Count.ShouldBe(1);
    }

    [Fact]
    public async Task a_read_whose_connection_dropped_is_sent_again()
    {
        var cluster = new FakeCluster(nodes: 1, shardCount: 1);
        cluster.Then("node-1", _ => throw new HttpRequestException(HttpRequestError.ResponseEnded, "The response ended prematurely."));

        (await cluster.Client().GetAsync("k", Ct)).ShouldNotBeNull();

        cluster.RequestsFor("k").Count.ShouldBe(2);
    }

    [Fact]
    public async Task a_write_to_a_leader_that_refuses_connections_goes_to_the_next_leader_once_the_map_names_it()
    {
        var cluster = new FakeCluster(nodes: 3, shardCount: 1);
        var client = cluster.Client(o => o.Seeds.Add(FakeCluster.UrlOf("node-2")));
        await client.GetShardMapAsync(Ct);
        cluster.Down.Add("node-1");
        cluster.Shards[0].LeaderId = "node-3";

        (await client.SetAsync("k", "v", cancellationToken: Ct)).Version.ShouldBe(7);

        cluster.RequestsFor("k").Select(r => r.NodeId).ShouldBe(["node-3"]);
    }
}
