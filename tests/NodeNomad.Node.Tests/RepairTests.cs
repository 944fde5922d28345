using System.Net;
using System.Net.Http.Json;
using NodeNomad.Contracts;
using NodeNomad.Testing;
using static NodeNomad.Node.Tests.MigrationProbe;
using static NodeNomad.Node.Tests.PlacementProbe;

namespace NodeNomad.Node.Tests;

/// <summary>A node down past DOWN_AFTER has its replicas re-created on the others and its meta vote handed to a learner; back, it holds only what the map places on it.</summary>
[Collection(LocalClusters.Name)]
public sealed class RepairTests(ITestOutputHelper output)
{
    [Fact]
    public async Task a_node_down_past_down_after_has_its_replicas_re_created_and_every_shard_is_back_at_factor_three()
    {
        await using var cluster = await LocalCluster.StartAsync(4, Settings(shards: 4, downAfter: "5s"));
        using var http = HttpTo(cluster.Nodes[0]);
        await WaitAsync(() => EveryShardAtFactorThreeAsync(http), "every shard has a leader");
        for (var i = 0; i < 50; i++)
        {
            (await http.PostAsJsonAsync("/api/v1/set", new SetRequest($"before-{i}", "kept"))).StatusCode.ShouldBe(HttpStatusCode.OK);
        }

        // node-3 votes in the meta group (the first three members do; node-4 is its learner).
        var dead = cluster.Nodes[2];
        dead.Kill();
        await WaitAsync(async () => await EveryShardAtFactorThreeAsync(http, "node-3") && await NoMoveInFlightAsync(http),
            "every shard is back at three voters without node-3");

        var repairs = (await MigrationsAsync(http)).Where(m => m.Reason == "repair").ToList();
        output.WriteLine(string.Join(Environment.NewLine, repairs.Select(m => $"{m.Id} {m.Shard} {m.SourceNodeId}->{m.TargetNodeId} {m.State}: {m.Steps[0].Detail}")));
        repairs.ShouldNotBeEmpty();
        repairs.ShouldAllBe(m => m.SourceNodeId == "node-3" && m.State == MigrationStates.Done);
        repairs[0].Steps[0].Detail.ShouldNotBeNull().ShouldMatch(@"node-3 down for \d+ s; re-creating its replica of shard-\d on node-\d");
        await WaitAsync(async () => (await NodeAsync(http, "node-4")).MetaRole is "leader" or "follower", "node-4 took node-3's vote in the meta group");
        for (var i = 0; i < 50; i += 7)
        {
            (await http.GetFromJsonAsync<KeyValue>($"/api/v1/get/before-{i}", Json.Options))!.Value.ShouldBe("kept");
        }

        // Back, it deletes the replicas that were re-created elsewhere, and may receive others as its share.
        await dead.RestartAsync();
        await WaitAsync(async () => await NodeAsync(http, "node-3") is { State: "up" } && await EveryShardAtFactorThreeAsync(http), "node-3 is back");
        foreach (var shard in await ShardsAsync(http))
        {
            await ReplicasAgreeAsync(cluster, shard.Id, [.. shard.Replicas.Select(r => r.NodeId)]);
        }

        using var returned = HttpTo(dead);
        var difference = "";
        var settled = WaitAsync(async () =>
        {
            // The map as it is now: node-3 may still be given a share after it is back, so what it should host is read
            // again on every look rather than once.
            var shards = await ShardsAsync(http);
            var placed = shards.Where(s => s.Replicas.Any(r => r.NodeId == "node-3")).Select(s => s.Id).ToHashSet();
            foreach (var shard in shards)
            {
                using var response = await returned.GetAsync($"/api/v1/cluster/shards/{shard.Id}/replica");
                if ((response.StatusCode == HttpStatusCode.OK) != placed.Contains(shard.Id))
                {
                    difference = $"shard {shard.Id}: node-3 answers {(int)response.StatusCode} for its replica; the map {(placed.Contains(shard.Id) ? "places" : "does not place")} one there";
                    return false;
                }
            }

            return true;
        }, "node-3 hosts exactly the replicas the map places on it");
        try
        {
            await settled;
        }
        catch (ShouldAssertException e)
        {
            throw new ShouldAssertException($"{e.Message} Last seen: {difference}.", e);
        }
    }
}
