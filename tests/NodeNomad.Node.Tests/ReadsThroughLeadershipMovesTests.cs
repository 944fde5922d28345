using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Json;
using NodeNomad.Contracts;
using NodeNomad.Testing;
using static NodeNomad.Node.Tests.MigrationProbe;

namespace NodeNomad.Node.Tests;

/// <summary>
/// Linearizable reads through every node while a shard's leadership moves back and forth: a read the group could not
/// confirm because its leader handed over is asked again, so clients see slower reads, never a 503.
/// </summary>
[Collection(LocalClusters.Name)]
public sealed class ReadsThroughLeadershipMovesTests(ITestOutputHelper output)
{
    private const int Moves = 6;

    [Fact]
    public async Task linearizable_reads_through_every_node_are_all_answered_while_the_leadership_moves()
    {
        await using var cluster = await LocalCluster.StartAsync(3, new Dictionary<string, string> { ["SHARD_COUNT"] = "1" });
        using var http = HttpTo(cluster.Nodes[0]);
        await Eventually(async () => (await ShardAsync(http, 0)).LeaderId is not null, "the shard has a leader", MoveTimeout);
        foreach (var i in Enumerable.Range(0, 20))
        {
            (await http.PostAsJsonAsync("/api/v1/set", new SetRequest($"r-{i}", $"v-{i}"))).StatusCode.ShouldBe(HttpStatusCode.OK);
        }

        using var stop = new CancellationTokenSource();
        var failures = new ConcurrentQueue<string>();
        var reads = 0L;
        var readers = cluster.Nodes.SelectMany(node => Enumerable.Range(0, 2).Select(async reader =>
        {
            using var client = HttpTo(node);
            var i = reader;
            while (!stop.IsCancellationRequested)
            {
                var key = $"r-{i++ % 20}";
                using var response = await client.GetAsync($"/api/v1/get/{key}?consistency=linearizable", CancellationToken.None);
                Interlocked.Increment(ref reads);
                if (response.StatusCode != HttpStatusCode.OK)
                {
                    failures.Enqueue($"{node.NodeId} {key}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync(CancellationToken.None)}");
                }
            }
        })).ToList();

        try
        {
            for (var move = 0; move < Moves; move++)
            {
                var shard = await ShardAsync(http, 0);
                var next = shard.Replicas.First(r => r.NodeId != shard.LeaderId).NodeId;
                var before = Interlocked.Read(ref reads);
                using var moved = await http.PostAsJsonAsync("/api/v1/cluster/leadership", new { shardId = 0, nodeId = next });
                moved.StatusCode.ShouldBe(HttpStatusCode.OK, await moved.Content.ReadAsStringAsync());

                // Reads go on between moves, so some are in flight at each hand-over.
                await Eventually(() => Task.FromResult(Interlocked.Read(ref reads) >= before + 30), "reads go on after the move", MoveTimeout);
            }
        }
        finally
        {
            await stop.CancelAsync();
            await Task.WhenAll(readers);
        }

        output.WriteLine($"{reads} linearizable reads through {cluster.Nodes.Count} nodes across {Moves} leadership moves; {failures.Count} not answered 200.");
        failures.ShouldBeEmpty();
    }
}
