using System.Diagnostics;

namespace NodeNomad.Client.Tests;

public sealed class UnavailableShardsAreWaitedOut
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task a_read_that_meets_503s_is_retried_until_the_shard_answers()
    {
        var cluster = new FakeCluster(nodes: 3, shardCount: 3);
        var leader = cluster.ShardOf("k").LeaderId!;
        cluster.ThenUnavailable(leader, times: 2);

        var value = await cluster.Client().GetAsync("k", Ct);

        value.ShouldNotBeNull();
        cluster.RequestsFor("k").Count.ShouldBe(3);
    }

    [Fact]
    public async Task a_read_that_keeps_meeting_503s_fails_as_unavailable_after_the_attempts()
    {
        var cluster = new FakeCluster(nodes: 2, shardCount: 2);
        var leader = cluster.ShardOf("k").LeaderId!;
        cluster.ThenUnavailable(leader, times: 10);

        await Should.ThrowAsync<ClusterUnavailableException>(() => cluster.Client(o => o.MaxAttempts = 5).GetAsync("k", Ct));

        cluster.RequestsFor("k").Count.ShouldBe(5);
    }

    [Fact]
    public async Task retry_after_is_waited_before_the_next_attempt()
    {
        var cluster = new FakeCluster(nodes: 1, shardCount: 1);
        cluster.ThenUnavailable("node-1", times: 1, retryAfterSeconds: 1);
        var client = cluster.Client();
        await client.GetShardMapAsync(Ct);
        var started = Stopwatch.GetTimestamp();

        (await client.ExistsAsync("k", Ct)).ShouldBeTrue();

        Stopwatch.GetElapsedTime(started).ShouldBeGreaterThan(TimeSpan.FromMilliseconds(900));
    }

    [Fact]
    public async Task a_retry_after_beyond_the_call_timeout_fails_at_once_with_the_503()
    {
        var cluster = new FakeCluster(nodes: 1, shardCount: 1);
        cluster.ThenUnavailable("node-1", times: 1, retryAfterSeconds: 60);
        var client = cluster.Client(o => o.Timeout = TimeSpan.FromSeconds(2));
        var started = Stopwatch.GetTimestamp();

        var error = await Should.ThrowAsync<ClusterUnavailableException>(() => client.GetAsync("k", Ct));

        error.RetryAfter.ShouldBe(TimeSpan.FromSeconds(60));
        Stopwatch.GetElapsedTime(started).ShouldBeLessThan(TimeSpan.FromSeconds(1));
    }

    [Fact]
    public async Task a_write_that_meets_a_503_is_not_retried_because_its_outcome_is_unknown()
    {
        var cluster = new FakeCluster(nodes: 2, shardCount: 2);
        cluster.ThenUnavailable(cluster.ShardOf("k").LeaderId!, times: 1);

        await Should.ThrowAsync<ClusterUnavailableException>(() => cluster.Client().SetAsync("k", "v", cancellationToken: Ct));

        cluster.RequestsFor("k").Count.ShouldBe(1);
    }
}
