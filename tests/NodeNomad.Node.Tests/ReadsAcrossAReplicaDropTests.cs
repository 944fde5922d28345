using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Json;
using NodeNomad.Contracts;
using NodeNomad.Testing;
using static NodeNomad.Node.Tests.MigrationProbe;

namespace NodeNomad.Node.Tests;

/// <summary>
/// A linearizable read that a node routed to its own replica of a shard, and that reaches the node's core only after a
/// move took that replica away, never entered the group: it is served by the group elsewhere, not answered 503.
/// </summary>
/// <remarks>
/// The window between routing and the core is microseconds wide on its own; every node here runs with
/// <c>NODENOMAD_TEST_HOLD_ROUTED_MS</c>, which holds each request routed to a local replica for 300 ms before it is
/// served, so the reads in flight through the source when it drops its replica all fall into that window.
/// </remarks>
[Collection(LocalClusters.Name)]
public sealed class ReadsAcrossAReplicaDropTests(ITestOutputHelper output)
{
    private const int Readers = 8;
    private const int Keys = 20;

    [Fact]
    public async Task reads_routed_to_a_replica_that_a_move_drops_before_they_reach_it_are_served_elsewhere()
    {
        await using var cluster = await LocalCluster.StartAsync(4, new Dictionary<string, string>
        {
            ["SHARD_COUNT"] = "1",
            ["REPLICATION_FACTOR"] = "3",
            ["NODENOMAD_TEST_HOLD_ROUTED_MS"] = "300",
        });
        using var control = HttpTo(cluster.Nodes[0]);
        // Only the move below takes the replica away: the load-based rebalancer is switched off.
        (await control.PutAsJsonAsync("/api/v1/cluster/rebalancer", new { enabled = false })).StatusCode.ShouldBe(HttpStatusCode.OK);
        await Eventually(async () => (await ShardAsync(control, 0)).LeaderId is not null, "the shard has a leader", MoveTimeout);
        var shard = await ShardAsync(control, 0);
        var source = shard.Replicas.First(r => r.NodeId != shard.LeaderId).NodeId;
        var target = cluster.Nodes.Select(n => n.NodeId).First(id => shard.Replicas.All(r => r.NodeId != id));
        for (var i = 0; i < Keys; i++)
        {
            (await control.PostAsJsonAsync("/api/v1/set", new SetRequest($"k-{i}", $"v-{i}"))).StatusCode.ShouldBe(HttpStatusCode.OK);
        }

        using var stop = new CancellationTokenSource();
        var failures = new ConcurrentQueue<string>();
        var reads = 0L;
        var sourceNode = cluster.Nodes.Single(n => n.NodeId == source);
        var readers = Enumerable.Range(0, Readers).Select(async reader =>
        {
            using var client = HttpTo(sourceNode);
            for (var i = reader; !stop.IsCancellationRequested; i++)
            {
                var key = $"k-{i % Keys}";
                using var response = await client.GetAsync($"/api/v1/get/{key}?consistency=linearizable", CancellationToken.None);
                Interlocked.Increment(ref reads);
                if (response.StatusCode != HttpStatusCode.OK)
                {
                    failures.Enqueue($"{key}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync(CancellationToken.None)}");
                }
            }
        }).ToList();

        MigrationInfo done;
        try
        {
            await Eventually(() => Task.FromResult(Interlocked.Read(ref reads) >= Readers), "the readers are under way", MoveTimeout);
            using var started = await control.PostAsJsonAsync("/api/v1/cluster/migrate", new { shardId = 0, targetNodeId = target, sourceNodeId = source });
            started.StatusCode.ShouldBe(HttpStatusCode.Accepted, await started.Content.ReadAsStringAsync());
            var migration = (await started.Content.ReadFromJsonAsync<MigrationInfo>(Json.Options))!;
            done = await WaitForEndAsync(control, migration.Id);

            // The source drops its replica once it applies the map without it; reads keep coming through it until then, and after.
            using var sourceControl = HttpTo(sourceNode);
            await Eventually(async () => (await sourceControl.GetAsync("/api/v1/cluster/shards/0/replica")).StatusCode == HttpStatusCode.NotFound,
                "the source drops its replica", MoveTimeout);
            var atDrop = Interlocked.Read(ref reads);
            await Eventually(() => Task.FromResult(Interlocked.Read(ref reads) >= atDrop + (2 * Readers)), "reads go on after the drop", MoveTimeout);
        }
        finally
        {
            await stop.CancelAsync();
            await Task.WhenAll(readers);
        }

        output.WriteLine(string.Join(Environment.NewLine, done.Steps.Select(s => $"{s.At:HH:mm:ss.fff} {s.State} {s.Detail}")));
        output.WriteLine($"{reads} linearizable reads through {source}, which gave its replica of shard 0 to {target}; {failures.Count} not answered 200.");
        done.State.ShouldBe(MigrationStates.Done);
        failures.ShouldBeEmpty();
    }
}
