using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Json;
using NodeNomad.Contracts;
using NodeNomad.Testing;
using static NodeNomad.Node.Tests.MigrationProbe;

namespace NodeNomad.Node.Tests;

/// <summary>
/// A node taking part in a move is killed (SIGKILL) while the move runs under writes of unique keys: the source, the
/// target, or the meta group's leader. The move ends — done, or rolled back when it cannot go on — no acknowledged
/// write is lost, and once the node is back every replica the map names holds the same contents and no other node
/// keeps one.
/// </summary>
[Collection(LocalClusters.Name)]
public sealed class MigrationFailpointTests(ITestOutputHelper output)
{
    [Theory]
    [InlineData("source", MigrationStates.CatchingUp)]
    [InlineData("target", MigrationStates.CatchingUp)]
    [InlineData("meta-leader", MigrationStates.CatchingUp)]
    [InlineData("source", MigrationStates.Swapping)]
    [InlineData("target", MigrationStates.CleaningUp)]
    public async Task a_move_survives_a_node_killed_at_a_step(string victimRole, string step)
    {
        await using var cluster = await LocalCluster.StartAsync(4, new Dictionary<string, string>
        {
            ["SHARD_COUNT"] = "1",
            ["REPLICATION_FACTOR"] = "3",
            ["MIGRATION_STEP_TIMEOUT_MS"] = "4000",
        });
        using var any = HttpTo(cluster.Nodes[0]);
        var shard = await ShardAsync(any, 0);
        var target = cluster.Nodes.Select(n => n.NodeId).First(id => shard.Replicas.All(r => r.NodeId != id));
        var source = shard.Replicas.First(r => r.NodeId != shard.LeaderId).NodeId;
        var metaLeader = (await any.GetFromJsonAsync<ClusterInfo>("/api/v1/cluster/info", Json.Options))!.MetaLeaderId;
        var victimId = victimRole switch { "source" => source, "target" => target, _ => metaLeader! };
        var victim = cluster.Nodes.Single(n => n.NodeId == victimId);

        // 32 MiB in the shard, so that the learner takes a while to catch up and each step lasts long enough to be hit.
        var big = new string('b', 256 * 1024);
        await Task.WhenAll(Enumerable.Range(0, 4).Select(async part =>
        {
            for (var i = part; i < 128; i += 4)
            {
                (await any.PostAsJsonAsync("/api/v1/set", new SetRequest($"big-{i}", big))).StatusCode.ShouldBe(HttpStatusCode.OK);
            }
        }));

        // Unique keys written through every node but the victim; a write is counted only once acknowledged.
        var acknowledged = new ConcurrentBag<string>();
        using var stop = new CancellationTokenSource();
        var writers = cluster.Nodes.Where(n => n != victim).Select((node, w) => Task.Run(async () =>
        {
            using var http = HttpTo(node);
            for (var i = 0; !stop.IsCancellationRequested && i < 20_000; i++)
            {
                var key = $"w{w}-{i}";
                try
                {
                    using var response = await http.PostAsJsonAsync("/api/v1/set", new SetRequest(key, key), stop.Token);
                    if (response.StatusCode == HttpStatusCode.OK)
                    {
                        acknowledged.Add(key);
                    }
                }
                catch (Exception e) when (e is HttpRequestException or OperationCanceledException or TaskCanceledException)
                {
                    // Not acknowledged: it may or may not have been applied; it is not counted.
                }
            }
        })).ToList();

        using var started = await any.PostAsJsonAsync("/api/v1/cluster/migrate", new { shardId = 0, targetNodeId = target, sourceNodeId = source });
        started.StatusCode.ShouldBe(HttpStatusCode.Accepted, await started.Content.ReadAsStringAsync());
        var id = (await started.Content.ReadFromJsonAsync<MigrationInfo>(Json.Options))!.Id;

        // Kill the victim as soon as the move has reached the step (or any later one).
        var order = new[] { MigrationStates.AddingLearner, MigrationStates.SendingSnapshot, MigrationStates.CatchingUp, MigrationStates.TransferringLeadership, MigrationStates.Swapping, MigrationStates.CleaningUp, MigrationStates.Done };
        var reached = "";
        var deadline = DateTime.UtcNow + MoveTimeout;
        while (DateTime.UtcNow < deadline)
        {
            reached = (await any.GetFromJsonAsync<MigrationInfo>($"/api/v1/cluster/migrations/{id}", Json.Options))!.State;
            if (MigrationStates.IsFinal(reached) || Array.IndexOf(order, reached) >= Array.IndexOf(order, step))
            {
                break;
            }

            await Task.Delay(10);
        }

        victim.Kill();
        output.WriteLine($"Killed {victimRole} {victimId} with the move at {reached}.");

        // The move ends without the victim (asked through a node that is up).
        using var survivor = HttpTo(cluster.Nodes.First(n => n != victim));
        var ended = await WaitForEndAsync(survivor, id);
        output.WriteLine(string.Join(Environment.NewLine, ended.Steps.Select(s => $"{s.At:HH:mm:ss.fff} {s.State} {s.Detail}")));
        ended.State.ShouldBeOneOf(MigrationStates.Done, MigrationStates.RolledBack);

        await victim.RestartAsync();
        await stop.CancelAsync();
        await Task.WhenAll(writers);
        acknowledged.Count.ShouldBeGreaterThan(0);

        var final = await ShardAsync(survivor, 0);
        var holders = final.Replicas.Where(r => r.Role != ReplicaRoles.Learner).Select(r => r.NodeId).ToList();
        holders.Count.ShouldBe(3);
        if (ended.State == MigrationStates.Done)
        {
            holders.ShouldContain(target);
            holders.ShouldNotContain(source);
        }
        else
        {
            holders.Order().ShouldBe(shard.Replicas.Select(r => r.NodeId).Order(), "a rolled-back move leaves the replicas as they were");
        }

        await ReplicasAgreeAsync(cluster, 0, holders);
        foreach (var node in cluster.Nodes.Where(n => !holders.Contains(n.NodeId)))
        {
            using var client = HttpTo(node);
            await Eventually(async () => (await client.GetAsync("/api/v1/cluster/shards/0/replica")).StatusCode == HttpStatusCode.NotFound,
                $"{node.NodeId}, which the map does not name, keeps no replica");
        }

        // Every acknowledged write is there (listed page by page through a live node).
        var present = new HashSet<string>(StringComparer.Ordinal);
        string? after = null;
        do
        {
            var page = (await survivor.GetFromJsonAsync<KeyPage>($"/api/v1/keys?prefix=w&limit=1000{(after is null ? "" : "&after=" + Uri.EscapeDataString(after))}", Json.Options))!;
            present.UnionWith(page.Items.Select(k => k.Key));
            after = page.NextCursor;
        }
        while (after is not null);

        var missing = acknowledged.Where(k => !present.Contains(k)).ToList();
        missing.ShouldBeEmpty($"{missing.Count} of {acknowledged.Count} acknowledged writes are missing");
    }
}
