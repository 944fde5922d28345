namespace NodeNomad.Client.Tests;

public sealed class KeysGoToTheirShardLeader
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task each_key_is_written_and_read_on_the_leader_of_its_shard()
    {
        var cluster = new FakeCluster(nodes: 4, shardCount: 4);
        var client = cluster.Client();
        var keys = Enumerable.Range(0, 40).Select(i => $"user/{i}").ToList();

        foreach (var key in keys)
        {
            await client.SetAsync(key, "v", cancellationToken: Ct);
            (await client.GetAsync(key, Ct)).ShouldNotBeNull();
        }

        foreach (var key in keys)
        {
            var shard = cluster.ShardOf(key);
            var requests = cluster.RequestsFor(key);
            requests.Count.ShouldBe(2);
            requests.ShouldAllBe(r => r.NodeId == shard.LeaderId && r.Epoch == shard.Epoch && r.Redirect);
        }

        keys.Select(k => cluster.ShardOf(k).Id).Distinct().Count().ShouldBe(4, "the keys should cover every shard");
        cluster.MapReads.ShouldBe(1);
    }

    [Fact]
    public async Task every_operation_routes_by_the_key()
    {
        var cluster = new FakeCluster(nodes: 3, shardCount: 3);
        var client = cluster.Client();

        await client.CompareAndSetAsync("cas-key", 0, "v", cancellationToken: Ct);
        (await client.ExistsAsync("exists-key", Ct)).ShouldBeTrue();
        (await client.GetTtlAsync("ttl-key", Ct)).ShouldNotBeNull();
        (await client.DeleteAsync("a/key with spaces", Ct)).ShouldBeTrue();

        foreach (var key in new[] { "cas-key", "exists-key", "ttl-key", "a/key with spaces" })
        {
            cluster.RequestsFor(key).Single().NodeId.ShouldBe(cluster.ShardOf(key).LeaderId);
        }
    }

    [Fact]
    public async Task the_map_names_the_shard_of_a_key()
    {
        var cluster = new FakeCluster(nodes: 2, shardCount: 2);

        var map = await cluster.Client().GetShardMapAsync(Ct);

        map.Shards.Count.ShouldBe(2);
        map.ShardOf("k")!.Id.ShouldBe(cluster.ShardOf("k").Id);
        map.LeaderUrlOf(map.ShardOf("k")!).ShouldBe(FakeCluster.UrlOf(cluster.ShardOf("k").LeaderId!));
    }

    [Fact]
    public async Task a_shard_without_a_known_leader_is_sent_to_one_of_its_replicas_which_forwards_it()
    {
        var cluster = new FakeCluster(nodes: 3, shardCount: 1);
        cluster.Shards[0].LeaderId = null;
        var client = cluster.Client();
        cluster.Then("node-1", _ => FakeCluster.Ok(Answers.Value("k")))
            .Then("node-2", _ => FakeCluster.Ok(Answers.Value("k")))
            .Then("node-3", _ => FakeCluster.Ok(Answers.Value("k")));

        (await client.GetAsync("k", Ct)).ShouldNotBeNull();

        cluster.RequestsFor("k").Single().NodeId.ShouldBeOneOf("node-1", "node-2", "node-3");
    }

    [Fact]
    public async Task a_node_of_today_that_reports_one_shard_and_ignores_the_headers_serves_every_key()
    {
        var cluster = new FakeCluster(nodes: 3, shardCount: 1);
        var client = cluster.Client();

        foreach (var key in new[] { "a", "b", "c" })
        {
            (await client.SetAsync(key, "v", cancellationToken: Ct)).Version.ShouldBe(7);
        }

        cluster.KeyRequests.ShouldAllBe(r => r.NodeId == "node-1");
        cluster.Shards[0].Start.ShouldBe(0UL);
        cluster.Shards[0].End.ShouldBe(ulong.MaxValue);
    }

    [Fact]
    public async Task listing_keys_asks_a_node_without_routing_headers()
    {
        var cluster = new FakeCluster(nodes: 2, shardCount: 2);

        var keys = await cluster.Client().ScanAsync(cancellationToken: Ct).ToListAsync(Ct);

        keys.Select(k => k.Key).ShouldBe(["a", "b"]);
        cluster.KeyRequests.Single().Redirect.ShouldBeFalse();
    }

    [Fact]
    public async Task typed_exceptions_come_through_as_from_the_single_node_client()
    {
        var cluster = new FakeCluster(nodes: 1, shardCount: 1);
        cluster.Then("node-1", _ =>
        {
            var response = FakeCluster.Problem(System.Net.HttpStatusCode.Conflict, "Version conflict", "Expected version 1 but the key is at version 4.");
            response.Content = new StringContent("""{"title":"Version conflict","status":409,"currentVersion":4}""", System.Text.Encoding.UTF8, "application/problem+json");
            return response;
        });

        var conflict = await Should.ThrowAsync<VersionConflictException>(() => cluster.Client().CompareAndSetAsync("k", 1, "v", cancellationToken: Ct));

        conflict.CurrentVersion.ShouldBe(4);
    }
}
