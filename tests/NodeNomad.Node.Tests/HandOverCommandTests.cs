using NodeNomad.Node.Operations;
using NodeNomad.Testing;
using static NodeNomad.Node.Tests.MigrationProbe;
using static NodeNomad.Node.Tests.PlacementProbe;

namespace NodeNomad.Node.Tests;

/// <summary>
/// <c>hand-over</c>, a container's stop hook: the node beside it gives its shard leaderships away, and a draining node
/// stops only once drained.
/// </summary>
[Collection(LocalClusters.Name)]
public sealed class HandOverCommandTests(ITestOutputHelper output)
{
    [Fact]
    public async Task a_node_that_hands_over_leads_no_shard_and_every_shard_keeps_a_leader()
    {
        await using var cluster = await LocalCluster.StartAsync(3, new Dictionary<string, string> { ["SHARD_COUNT"] = "6" });
        using var http = HttpTo(cluster.Nodes[0]);
        await Eventually(async () => (await ShardsAsync(http)).All(s => s.LeaderId is not null), "every shard has a leader", MoveTimeout);
        var leader = (await ShardsAsync(http)).GroupBy(s => s.LeaderId!).MaxBy(g => g.Count())!.Key;
        var node = cluster.Nodes.Single(n => n.NodeId == leader);
        using var log = new StringWriter();

        var finished = await HandOverCommand.HandOverAsync(node.BaseAddress, TimeSpan.FromSeconds(60), log, CancellationToken.None);

        output.WriteLine(log.ToString());
        finished.ShouldBeTrue();
        log.ToString().ShouldContain("is now led by");

        // The node asked is the hook's own; another node's view of each shard follows within a few heartbeats.
        NodeNomad.Contracts.ShardInfo[] shards = [];
        try
        {
            await Eventually(async () => (shards = await ShardsAsync(http)).All(s => s.LeaderId != null && s.LeaderId != leader),
                $"node-1 sees every shard led by a node other than {leader}", TimeSpan.FromSeconds(10));
        }
        finally
        {
            output.WriteLine(string.Join(Environment.NewLine, shards.Select(s => $"{s.Name}: {s.LeaderId} in term {s.Term}")));
        }
    }

    [Fact]
    public async Task a_draining_node_hands_over_only_once_it_holds_no_replica()
    {
        await using var cluster = await LocalCluster.StartAsync(4, Settings(shards: 2));
        using var http = HttpTo(cluster.Nodes[0]);
        await Eventually(() => EveryShardAtFactorThreeAsync(http), "every shard has a leader", MoveTimeout);
        var holder = (await ShardsAsync(http))[0].Replicas[0].NodeId;
        (await http.PostAsync($"/api/v1/cluster/nodes/{holder}/drain", null)).EnsureSuccessStatusCode();
        using var log = new StringWriter();

        var finished = await HandOverCommand.HandOverAsync(cluster.Nodes.Single(n => n.NodeId == holder).BaseAddress, MoveTimeout, log, CancellationToken.None);

        output.WriteLine(log.ToString());
        finished.ShouldBeTrue();
        (await NodeAsync(http, holder)).ShouldSatisfyAllConditions(
            n => n.Membership.ShouldBe("drained"),
            n => n.Replicas.ShouldBeEmpty(),
            n => n.Leaderships.ShouldBeEmpty());
        // The drain may finish while the leaderships are handed over (it moves them too): the hook then finds the node
        // drained at once, and says so.
        log.ToString().ShouldContain($"{holder} is drained");
    }

    [Fact]
    public async Task a_node_that_does_not_answer_lets_the_hook_end_and_says_why()
    {
        using var log = new StringWriter();

        var finished = await HandOverCommand.HandOverAsync(new Uri("http://127.0.0.1:9"), TimeSpan.FromSeconds(5), log, CancellationToken.None);

        finished.ShouldBeFalse();
        log.ToString().ShouldContain("stopped before it finished");
    }

    [Fact]
    public async Task a_lone_node_has_no_voter_to_hand_over_to_and_the_hook_ends()
    {
        await using var cluster = await LocalCluster.StartAsync(1);
        using var log = new StringWriter();
        using var http = HttpTo(cluster.Nodes[0]);
        await Eventually(async () => (await ShardsAsync(http)).All(s => s.LeaderId is not null), "the lone node leads its shards", MoveTimeout);

        var finished = await HandOverCommand.HandOverAsync(cluster.Nodes[0].BaseAddress, TimeSpan.FromSeconds(30), log, CancellationToken.None);

        finished.ShouldBeTrue();
        log.ToString().ShouldContain("has no other voter that is up");
    }
}
