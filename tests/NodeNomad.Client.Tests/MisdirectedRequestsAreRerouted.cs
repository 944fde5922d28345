using System.Net;
using NodeNomad.Contracts;

namespace NodeNomad.Client.Tests;

public sealed class MisdirectedRequestsAreRerouted
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task a_421_naming_the_leader_is_followed_at_once_without_reading_the_map()
    {
        var cluster = new FakeCluster(nodes: 3, shardCount: 1);
        var client = cluster.Client();
        await client.GetShardMapAsync(Ct);
        // The leadership changed without an epoch bump (an election): node-1 knows, the client's map does not.
        cluster.Shards[0].LeaderId = "node-2";

        var written = await client.SetAsync("k", "v", cancellationToken: Ct);

        written.Version.ShouldBe(7);
        cluster.RequestsFor("k").Select(r => r.NodeId).ShouldBe(["node-1", "node-2"]);
        cluster.MapReads.ShouldBe(1);
    }

    [Fact]
    public async Task a_moved_shard_is_found_again_through_a_fresh_map_and_the_write_lands_on_the_new_leader()
    {
        var cluster = new FakeCluster(nodes: 4, shardCount: 2);
        var client = cluster.Client();
        var shard = cluster.ShardOf("moving");
        await client.SetAsync("moving", "before", cancellationToken: Ct);
        var newLeader = cluster.NodeIds.First(n => n != shard.LeaderId && cluster.Shards.All(s => s.LeaderId != n));
        var oldLeader = shard.LeaderId!;
        cluster.Move(shard, newLeader);
        // The old leader no longer knows who leads: it answers 421 without a hint.
        cluster.Then(oldLeader, _ => FakeCluster.Problem(HttpStatusCode.MisdirectedRequest, "Misdirected request", "Not here any more."));

        await client.SetAsync("moving", "after", cancellationToken: Ct);

        var requests = cluster.RequestsFor("moving");
        requests.Select(r => r.NodeId).ShouldBe([oldLeader, oldLeader, newLeader]);
        requests[^1].Epoch.ShouldBe(shard.Epoch);
        cluster.MapReads.ShouldBe(2);
    }

    [Fact]
    public async Task a_request_that_routed_by_an_older_epoch_is_refused_and_sent_again_by_the_new_one()
    {
        var cluster = new FakeCluster(nodes: 3, shardCount: 3);
        var client = cluster.Client();
        var shard = cluster.ShardOf("k");
        await client.GetShardMapAsync(Ct);
        cluster.Move(shard, shard.LeaderId!); // same leader, new replica set

        await client.DeleteAsync("k", Ct);

        var requests = cluster.RequestsFor("k");
        requests.Select(r => r.Epoch).ShouldBe([1L, 2L]);
        requests.ShouldAllBe(r => r.NodeId == shard.LeaderId);
    }

    [Fact]
    public async Task a_newer_epoch_on_a_success_makes_the_client_read_the_map_again()
    {
        var cluster = new FakeCluster(nodes: 2, shardCount: 2);
        var client = cluster.Client();
        var shard = cluster.ShardOf("k");
        await client.GetAsync("k", Ct);
        cluster.Move(shard, shard.LeaderId!);
        cluster.Then(shard.LeaderId!, _ =>
        {
            var response = FakeCluster.Ok(Answers.Value("k"));
            response.Headers.Add(RoutingHeaders.ShardEpoch, "2");
            return response;
        });
        await client.GetAsync("k", Ct);

        await client.GetAsync("other", Ct);
        await WaitUntil(() => cluster.MapReads == 2);

        (await client.GetShardMapAsync(Ct)).Shards.Single(s => s.Id == shard.Id).Epoch.ShouldBe(2);
    }

    [Fact]
    public async Task redirects_that_never_end_fail_with_the_wrong_node_after_the_attempts()
    {
        var cluster = new FakeCluster(nodes: 2, shardCount: 1);
        var client = cluster.Client(options => options.MaxAttempts = 4);
        for (var i = 0; i < 4; i++)
        {
            cluster.Then("node-1", _ => FakeCluster.Problem(HttpStatusCode.MisdirectedRequest, "Misdirected request", "Ask elsewhere."));
        }

        var error = await Should.ThrowAsync<WrongNodeException>(() => client.SetAsync("k", "v", cancellationToken: Ct));

        error.StatusCode.ShouldBe(HttpStatusCode.MisdirectedRequest);
        cluster.RequestsFor("k").Count.ShouldBe(4);
    }

    [Fact]
    public async Task nodes_that_send_a_write_back_and_forth_while_they_disagree_are_waited_out_not_run_through()
    {
        // node-1 and node-2 each name the other as leader for a quarter of a second (an election settling), then
        // node-2 takes the write. Followed at once, the redirects would spend all eight attempts in milliseconds.
        var cluster = new FakeCluster(nodes: 2, shardCount: 1);
        var client = cluster.Client(options =>
        {
            options.RetryBaseDelay = TimeSpan.FromMilliseconds(50);
            options.RetryMaxDelay = TimeSpan.FromSeconds(2);
        });
        await client.GetShardMapAsync(Ct);
        var settling = TimeSpan.FromMilliseconds(250);
        var since = System.Diagnostics.Stopwatch.StartNew();
        for (var i = 0; i < 50; i++)
        {
            cluster.Then("node-1", _ => Redirect("node-2"));
            cluster.Then("node-2", _ => since.Elapsed < settling ? Redirect("node-1") : FakeCluster.Ok("""{"key":"k","version":7}"""));
        }

        var written = await client.SetAsync("k", "v", cancellationToken: Ct);

        written.Version.ShouldBe(7);
        var requests = cluster.RequestsFor("k");
        requests.Count.ShouldBeLessThanOrEqualTo(8);
        requests[^1].NodeId.ShouldBe("node-2");
    }

    private static HttpResponseMessage Redirect(string leader)
    {
        var response = FakeCluster.Problem(HttpStatusCode.MisdirectedRequest, "Misdirected request", $"{leader} leads shard 0.");
        response.Headers.Add(RoutingHeaders.LeaderUrl, FakeCluster.UrlOf(leader).ToString());
        return response;
    }

    private static async Task WaitUntil(Func<bool> condition)
    {
        for (var i = 0; i < 200 && !condition(); i++)
        {
            await Task.Delay(10, Ct);
        }

        condition().ShouldBeTrue();
    }
}
