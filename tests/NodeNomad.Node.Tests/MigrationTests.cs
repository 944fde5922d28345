using System.Net;
using System.Net.Http.Json;
using NodeNomad.Contracts;
using NodeNomad.Testing;
using static NodeNomad.Node.Tests.MigrationProbe;

namespace NodeNomad.Node.Tests;

/// <summary>Shard replicas and leaderships move between running nodes while clients write, with nothing lost and no client error.</summary>
[Collection(LocalClusters.Name)]
public sealed class MigrationTests(ITestOutputHelper output)
{
    [Fact]
    public async Task a_replica_moves_to_another_node_under_writes_and_every_replica_ends_with_the_same_contents()
    {
        await using var cluster = await LocalCluster.StartAsync(4, new Dictionary<string, string> { ["SHARD_COUNT"] = "2", ["REPLICATION_FACTOR"] = "3" });
        using var http = HttpTo(cluster.Nodes[0]);
        var shard = await ShardAsync(http, 0);
        var target = cluster.Nodes.Select(n => n.NodeId).First(id => shard.Replicas.All(r => r.NodeId != id));
        for (var i = 0; i < 100; i++)
        {
            (await http.PostAsJsonAsync("/api/v1/set", new SetRequest($"before-{i}", $"v{i}"))).StatusCode.ShouldBe(HttpStatusCode.OK);
        }

        // A writer keeps writing unique keys through one node while the replica moves; every answer must be a success.
        using var stop = new CancellationTokenSource();
        var written = new List<string>();
        var failures = new List<string>();
        var writer = Task.Run(async () =>
        {
            for (var i = 0; !stop.IsCancellationRequested && i < 20_000; i++)
            {
                var key = $"during-{i}";
                using var response = await http.PostAsJsonAsync("/api/v1/set", new SetRequest(key, "x"));
                if (response.StatusCode == HttpStatusCode.OK)
                {
                    written.Add(key);
                }
                else
                {
                    failures.Add($"{key}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
                }
            }
        });

        using var started = await http.PostAsJsonAsync("/api/v1/cluster/migrate", new { shardId = "shard-0", targetNodeId = target });
        started.StatusCode.ShouldBe(HttpStatusCode.Accepted, await started.Content.ReadAsStringAsync());
        started.Headers.Location.ShouldNotBeNull();
        var migration = (await started.Content.ReadFromJsonAsync<MigrationInfo>(Json.Options))!;
        migration.Shard.ShouldBe("shard-0");
        migration.TargetNodeId.ShouldBe(target);
        shard.Replicas.Where(r => r.Role == ReplicaRoles.Leader).Select(r => r.NodeId).ShouldNotContain(migration.SourceNodeId,
            "without a source named, the cluster moves a replica that does not lead");

        var done = await WaitForEndAsync(http, migration.Id);
        await stop.CancelAsync();
        await writer;
        output.WriteLine(string.Join(Environment.NewLine, done.Steps.Select(s => $"{s.At:HH:mm:ss.fff} {s.State} {s.Detail}")));
        done.State.ShouldBe(MigrationStates.Done);
        done.Steps.Select(s => s.State).ShouldContain(MigrationStates.CatchingUp);
        failures.ShouldBeEmpty();
        written.Count.ShouldBeGreaterThan(0);

        var after = await ShardAsync(http, 0);
        after.Replicas.Select(r => r.NodeId).ShouldContain(target);
        after.Replicas.Select(r => r.NodeId).ShouldNotContain(migration.SourceNodeId);
        after.Epoch.ShouldBeGreaterThan(shard.Epoch);

        // Every acknowledged write is there, read through the node that gave its replica up.
        using var source = HttpTo(cluster.Nodes.Single(n => n.NodeId == migration.SourceNodeId));
        foreach (var key in written.Where((_, i) => i % 10 == 0).Concat(["before-0", "before-99"]))
        {
            (await source.GetAsync($"/api/v1/get/{key}")).StatusCode.ShouldBe(HttpStatusCode.OK, key);
        }

        await ReplicasAgreeAsync(cluster, 0, after.Replicas.Select(r => r.NodeId).ToList());
        (await source.GetAsync("/api/v1/cluster/shards/shard-0/replica")).StatusCode.ShouldBe(HttpStatusCode.NotFound, "the source deleted its replica");
    }

    [Fact]
    public async Task a_cancelled_move_leaves_the_shard_as_it_was_and_the_target_without_a_replica()
    {
        await using var cluster = await LocalCluster.StartAsync(4, new Dictionary<string, string> { ["SHARD_COUNT"] = "1", ["REPLICATION_FACTOR"] = "3" });
        using var http = HttpTo(cluster.Nodes[0]);
        var shard = await ShardAsync(http, 0);
        var target = cluster.Nodes.Select(n => n.NodeId).First(id => shard.Replicas.All(r => r.NodeId != id));

        // 32 MiB in the shard: the learner needs a while to catch up, so the cancel lands before the swap.
        var big = new string('b', 256 * 1024);
        for (var i = 0; i < 128; i++)
        {
            (await http.PostAsJsonAsync("/api/v1/set", new SetRequest($"big-{i}", big))).StatusCode.ShouldBe(HttpStatusCode.OK);
        }

        using var started = await http.PostAsJsonAsync("/api/v1/cluster/migrate", new { shardId = 0, targetNodeId = target });
        started.StatusCode.ShouldBe(HttpStatusCode.Accepted, await started.Content.ReadAsStringAsync());
        var migration = (await started.Content.ReadFromJsonAsync<MigrationInfo>(Json.Options))!;
        // The node asked answers for the migration once it has applied its start (the meta leader accepted it).
        await Eventually(async () => (await http.GetAsync($"/api/v1/cluster/migrations/{migration.Id}")).StatusCode == HttpStatusCode.OK, $"node-1 knows {migration.Id}");
        using var cancelled = await http.PostAsync($"/api/v1/cluster/migrations/{migration.Id}/cancel", null);
        cancelled.StatusCode.ShouldBe(HttpStatusCode.Accepted, await cancelled.Content.ReadAsStringAsync());
        var ended = await WaitForEndAsync(http, migration.Id);
        ended.State.ShouldBe(MigrationStates.Cancelled);
        ended.CancelRequested.ShouldBeTrue();

        var after = await ShardAsync(http, 0);
        after.Replicas.Select(r => r.NodeId).Order().ShouldBe(shard.Replicas.Select(r => r.NodeId).Order());
        using var targetClient = HttpTo(cluster.Nodes.Single(n => n.NodeId == target));
        await Eventually(async () => (await targetClient.GetAsync("/api/v1/cluster/shards/0/replica")).StatusCode == HttpStatusCode.NotFound,
            "the target deletes the learner it had");
    }

    [Fact]
    public async Task a_leadership_transfer_is_answered_once_the_new_leader_leads()
    {
        await using var cluster = await LocalCluster.StartAsync(3);
        using var http = HttpTo(cluster.Nodes[0]);
        var shard = await ShardAsync(http, 0);
        var other = shard.Replicas.First(r => r.NodeId != shard.LeaderId).NodeId;

        using var moved = await http.PostAsJsonAsync("/api/v1/cluster/leadership", new { shardId = "shard-0", nodeId = other });
        moved.StatusCode.ShouldBe(HttpStatusCode.OK, await moved.Content.ReadAsStringAsync());
        (await moved.Content.ReadFromJsonAsync<LeadershipInfo>(Json.Options))!.LeaderId.ShouldBe(other);
        await Eventually(async () => (await ShardAsync(http, 0)).LeaderId == other, "every node sees the new leader");
    }

    [Fact]
    public async Task a_leadership_request_for_the_node_that_leads_already_is_answered_by_that_leader_through_any_node()
    {
        await using var cluster = await LocalCluster.StartAsync(3);
        using var http = HttpTo(cluster.Nodes[0]);
        var shard = await ShardAsync(http, 0);
        var leader = shard.LeaderId.ShouldNotBeNull();
        var follower = cluster.Nodes.First(n => n.NodeId != leader);
        using var asked = HttpTo(follower);

        // The follower does not answer from its own view: the request reaches the leader, which says so itself.
        using var moved = await asked.PostAsJsonAsync("/api/v1/cluster/leadership", new { shardId = 0, nodeId = leader });
        moved.StatusCode.ShouldBe(HttpStatusCode.OK, await moved.Content.ReadAsStringAsync());
        var info = (await moved.Content.ReadFromJsonAsync<LeadershipInfo>(Json.Options))!;
        info.LeaderId.ShouldBe(leader);
        using var atLeader = HttpTo(cluster.Nodes.Single(n => n.NodeId == leader));
        info.Term.ShouldBe((await ShardAsync(atLeader, 0)).Term);
    }

    [Fact]
    public async Task requests_that_cannot_run_are_answered_with_a_reason()
    {
        await using var cluster = await LocalCluster.StartAsync(3);
        using var http = HttpTo(cluster.Nodes[0]);
        var shard = await ShardAsync(http, 0);
        var holder = shard.Replicas[0].NodeId;

        await ShouldBeProblemAsync(await http.PostAsJsonAsync("/api/v1/cluster/migrate", new { shardId = "shard-x", targetNodeId = holder }), HttpStatusCode.BadRequest, "shard-N");
        await ShouldBeProblemAsync(await http.PostAsJsonAsync("/api/v1/cluster/migrate", new { shardId = 9, targetNodeId = holder }), HttpStatusCode.BadRequest, "There is no shard-9");
        await ShouldBeProblemAsync(await http.PostAsJsonAsync("/api/v1/cluster/migrate", new { shardId = 0 }), HttpStatusCode.BadRequest, "targetNodeId is required");
        await ShouldBeProblemAsync(await http.PostAsJsonAsync("/api/v1/cluster/migrate", new { shardId = 0, targetNodeId = "node-9" }), HttpStatusCode.BadRequest, "not a node");
        await ShouldBeProblemAsync(await http.PostAsJsonAsync("/api/v1/cluster/migrate", new { shardId = 0, targetNodeId = holder }), HttpStatusCode.Conflict, "already holds");
        await ShouldBeProblemAsync(await http.PostAsJsonAsync("/api/v1/cluster/migrate", new { shardId = 0, targetNodeId = holder, sourceNodeId = "node-9" }), HttpStatusCode.BadRequest, "no voting replica");
        await ShouldBeProblemAsync(await http.GetAsync("/api/v1/cluster/migrations/m-missing"), HttpStatusCode.NotFound, "no migration");
        await ShouldBeProblemAsync(await http.PostAsync("/api/v1/cluster/migrations/m-missing/cancel", null), HttpStatusCode.NotFound, "no migration");
        await ShouldBeProblemAsync(await http.PostAsJsonAsync("/api/v1/cluster/leadership", new { shardId = 0, nodeId = "node-9" }), HttpStatusCode.BadRequest, "voting replica");
        await ShouldBeProblemAsync(await http.GetAsync("/api/v1/cluster/shards/nine/replica"), HttpStatusCode.BadRequest, "shard-N");
        (await http.GetFromJsonAsync<MigrationInfo[]>("/api/v1/cluster/migrations", Json.Options))!.ShouldBeEmpty();
    }
}
