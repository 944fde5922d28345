using System.Net;
using System.Net.Http.Json;
using NodeNomad.Contracts;
using NodeNomad.Core.Cluster;
using NodeNomad.Testing;
using static NodeNomad.Node.Tests.MigrationProbe;

namespace NodeNomad.Node.Tests;

/// <summary>The load-based rebalancer on a running cluster: a node made hot gives load away, each decision is listed with its reason, and no client sees an error.</summary>
[Collection(LocalClusters.Name)]
public sealed class RebalancerTests(ITestOutputHelper output)
{
    private const int Shards = 4;

    [Fact]
    public async Task a_node_leading_two_written_shards_hands_one_away_and_the_decision_says_why()
    {
        // The hot spot leaves one node leading none of the four shards, which the placement driver's count rule would
        // mend by moving a written shard's leadership away before the rebalancer's first round: here the driver looks
        // once in ten minutes, so what moves is the rebalancer's doing.
        await using var cluster = await LocalCluster.StartAsync(4, new Dictionary<string, string>
        {
            ["SHARD_COUNT"] = Shards.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["REPLICATION_FACTOR"] = "3",
            ["PLACEMENT_INTERVAL_MS"] = "600000",
        });
        using var http = HttpTo(cluster.Nodes[0]);
        using var last = HttpTo(cluster.Nodes[3]);

        // Off while the hot spot is set up; settings are checked field by field.
        (await http.PutAsJsonAsync("/api/v1/cluster/rebalancer", new { enabled = false })).StatusCode.ShouldBe(HttpStatusCode.OK);
        await ShouldBeProblemAsync(await last.PutAsJsonAsync("/api/v1/cluster/rebalancer", new { threshold = 0.9 }), HttpStatusCode.BadRequest, "threshold must be above 1");
        await ShouldBeProblemAsync(await last.PutAsJsonAsync("/api/v1/cluster/rebalancer", new { hysteresis = "high" }), HttpStatusCode.BadRequest, "hysteresis must be a number");

        // One node leads two shards that clients write to; the other two shards are idle.
        var first = await ShardAsync(http, 0);
        var hot = first.LeaderId!;
        var second = Enumerable.Range(1, Shards - 1).First(id => ShardAsync(http, id).Result.Replicas.Any(r => r.NodeId == hot));
        using (var moved = await http.PostAsJsonAsync("/api/v1/cluster/leadership", new { shardId = second, nodeId = hot }))
        {
            moved.StatusCode.ShouldBe(HttpStatusCode.OK, await moved.Content.ReadAsStringAsync());
        }

        // The hand-over is carried out by the shard's leader, which gives up on a target that lags: the hot spot exists
        // only once the hot node leads both shards, so ask again (every two seconds) until it does.
        var asked = System.Diagnostics.Stopwatch.StartNew();
        await Eventually(async () =>
        {
            if ((await ShardAsync(http, second)).LeaderId == hot)
            {
                return true;
            }

            if (asked.Elapsed > TimeSpan.FromSeconds(2))
            {
                using var again = await http.PostAsJsonAsync("/api/v1/cluster/leadership", new { shardId = second, nodeId = hot });
                asked.Restart();
            }

            return false;
        }, $"{hot} leads both written shards", TimeSpan.FromSeconds(60));

        using var stop = new CancellationTokenSource();
        var failures = new List<string>();
        var writers = new[] { 0, second }.Select((shard, i) => Task.Run(async () =>
        {
            using var client = HttpTo(cluster.Nodes[i + 1]);
            foreach (var key in KeysOf(shard).TakeWhile(_ => !stop.IsCancellationRequested))
            {
                using var response = await client.PostAsJsonAsync("/api/v1/set", new SetRequest(key, "x"));
                if (response.StatusCode != HttpStatusCode.OK)
                {
                    var body = await response.Content.ReadAsStringAsync();
                    lock (failures)
                    {
                        failures.Add($"{key}: {(int)response.StatusCode} {body}");
                    }
                }
            }
        })).ToList();

        using (var on = await last.PutAsJsonAsync("/api/v1/cluster/rebalancer", new { enabled = true, intervalSeconds = 2, dimension = "writes", cooldownSeconds = 60 }))
        {
            on.StatusCode.ShouldBe(HttpStatusCode.OK, await on.Content.ReadAsStringAsync());
            var info = (await on.Content.ReadFromJsonAsync<RebalancerInfo>(Json.Options))!;
            info.Settings.Enabled.ShouldBeTrue();
            info.Settings.IntervalSeconds.ShouldBe(2);
            info.Settings.Dimension.ShouldBe("writes");
            info.IsDefault.ShouldBeFalse();
        }

        RebalancerDecisionInfo? move = null;
        RebalancerDecisionInfo[] seen = [];
        try
        {
            await Eventually(async () =>
            {
                seen = (await http.GetFromJsonAsync<RebalancerDecisionInfo[]>("/api/v1/cluster/rebalancer/decisions", Json.Options))!;
                // A move's own decision, not an exchange step that follows it (which names the move it pairs with).
                move = seen.FirstOrDefault(d => d.Action is RebalancerDecision.Leadership or RebalancerDecision.Replica
                    && !d.Reason.StartsWith("in exchange for ", StringComparison.Ordinal));
                return move is not null;
            }, "the rebalancer moves something", TimeSpan.FromSeconds(60));
        }
        catch (ShouldAssertException)
        {
            // What it decided instead, and the writes it saw, say why.
            output.WriteLine($"{failures.Count} failed writes; the newest decisions:");
            foreach (var decision in seen.Take(8))
            {
                output.WriteLine($"{decision.At:HH:mm:ss} {decision.Action}: {decision.Reason} [{string.Join(", ", decision.Figures.Select(f => $"{f.NodeId} {f.Load:F1}"))}] rejected: {string.Join("; ", decision.Rejected)}");
            }

            throw;
        }
        output.WriteLine($"{move!.Id} {move.Action}: {move.Reason}");
        output.WriteLine("rejected: " + string.Join("; ", move.Rejected));

        move.SourceNodeId.ShouldBe(hot);
        move.ShardId.ShouldBeOneOf(0, second);
        move.Reason.ShouldStartWith($"{hot} serves ");
        move.Reason.ShouldContain("the mean writes/s; moving the ");
        move.Figures.Single(f => f.NodeId == hot).Ratio.ShouldBeGreaterThan(1.25);
        if (move.Action == RebalancerDecision.Leadership)
        {
            await Eventually(async () => (await ShardAsync(http, move.ShardId!.Value)).LeaderId == move.TargetNodeId, $"{move.TargetNodeId} leads {move.Shard}");
        }
        else
        {
            (await WaitForEndAsync(http, move.MigrationId!)).State.ShouldBe(MigrationStates.Done);
        }

        // Asked of any node, the log is the meta leader's, newest first.
        var listed = (await last.GetFromJsonAsync<RebalancerDecisionInfo[]>("/api/v1/cluster/rebalancer/decisions?limit=200", Json.Options))!;
        listed.ShouldContain(d => d.Id == move.Id);
        listed.Select(d => d.At).ShouldBeInOrder(SortDirection.Descending);
        var status = (await last.GetFromJsonAsync<RebalancerInfo>("/api/v1/cluster/rebalancer", Json.Options))!;
        status.Nodes.Count.ShouldBe(4, "the meta leader answers with every node's load");

        await stop.CancelAsync();
        await Task.WhenAll(writers);
        failures.ShouldBeEmpty();
    }

    [Fact]
    public async Task balancing_bytes_against_weights_moves_a_replica_as_a_migration_that_names_the_decision()
    {
        await using var cluster = await LocalCluster.StartAsync(4, new Dictionary<string, string> { ["SHARD_COUNT"] = Shards.ToString(System.Globalization.CultureInfo.InvariantCulture), ["REPLICATION_FACTOR"] = "3" });
        using var http = HttpTo(cluster.Nodes[0]);
        (await http.PutAsJsonAsync("/api/v1/cluster/rebalancer", new { enabled = false })).StatusCode.ShouldBe(HttpStatusCode.OK);

        // 4 MiB in shard-0 on its three replicas; the fourth node holds none of it but is weighted twice as large, so
        // each holder carries 1.67× its share of the bytes and the fourth node none.
        var shard = await ShardAsync(http, 0);
        var spare = cluster.Nodes.Select(n => n.NodeId).First(id => shard.Replicas.All(r => r.NodeId != id));
        var value = new string('v', 64 * 1024);
        foreach (var key in KeysOf(0).Take(64))
        {
            (await http.PostAsJsonAsync("/api/v1/set", new SetRequest(key, value))).StatusCode.ShouldBe(HttpStatusCode.OK);
        }

        using var stop = new CancellationTokenSource();
        var failures = new List<string>();
        var writer = Task.Run(async () =>
        {
            using var client = HttpTo(cluster.Nodes[1]);
            foreach (var key in KeysOf(0).Skip(64).TakeWhile(_ => !stop.IsCancellationRequested))
            {
                using var response = await client.PostAsJsonAsync("/api/v1/set", new SetRequest(key, "small"));
                if (response.StatusCode != HttpStatusCode.OK)
                {
                    failures.Add($"{key}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
                }
            }
        });

        (await http.PutAsJsonAsync("/api/v1/cluster/rebalancer", new
        {
            enabled = true, intervalSeconds = 2, dimension = "bytes", cooldownSeconds = 60, weights = new Dictionary<string, int> { [spare] = 2 },
        })).StatusCode.ShouldBe(HttpStatusCode.OK);

        // The placement driver may have handed shard-0's leadership over while the cluster settled; that starts the
        // shard's cooldown, so the move may come up to one cooldown late. The decisions seen last say why, if none came.
        RebalancerDecisionInfo? move = null;
        var seen = "none";
        await Eventually(async () =>
        {
            var decisions = (await http.GetFromJsonAsync<RebalancerDecisionInfo[]>("/api/v1/cluster/rebalancer/decisions", Json.Options))!;
            seen = string.Join(" | ", decisions.Take(5).Select(d => $"{d.Action}: {d.Reason} [rejected: {string.Join("; ", d.Rejected)}]"));
            // A move that would leave the replica counts uneven comes with its exchange, a second replica decision that names it.
            move = decisions.FirstOrDefault(d => d.Action == RebalancerDecision.Replica && !d.Reason.StartsWith("in exchange for", StringComparison.Ordinal));
            return move is not null;
        }, () => $"the rebalancer moves a replica (latest decisions: {seen})", TimeSpan.FromSeconds(60) + MoveTimeout);
        output.WriteLine($"{move!.Id} {move.Action}: {move.Reason}");

        move.ShardId.ShouldBe(0);
        move.TargetNodeId.ShouldBe(spare);
        move.Reason.ShouldContain($"the mean bytes; moving its replica of shard-0 to {spare}, the coolest node without one");
        move.Figures.Single(f => f.NodeId == spare).Weight.ShouldBe(2);
        var migration = await WaitForEndAsync(http, move.MigrationId!);
        migration.State.ShouldBe(MigrationStates.Done);
        migration.Reason.ShouldBe("rebalance");
        migration.RequestedBy.ShouldBe("rebalancer");
        migration.Steps[0].Detail.ShouldNotBeNull().ShouldStartWith($"decision {move.Id}: ");
        (await ShardAsync(http, 0)).Replicas.Select(r => r.NodeId).ShouldContain(spare);

        await stop.CancelAsync();
        await writer;
        failures.ShouldBeEmpty();
    }

    /// <summary>Keys whose hash lands in shard <paramref name="shardId"/> of a cluster of <see cref="Shards"/> shards.</summary>
    private static IEnumerable<string> KeysOf(int shardId)
    {
        var range = HashRange.Split(Shards)[shardId];
        for (var i = 0; ; i++)
        {
            var key = $"hot-{shardId}-{i}";
            var position = KeyPosition.Of(key);
            if (position >= range.Start && position <= range.End)
            {
                yield return key;
            }
        }
    }
}
