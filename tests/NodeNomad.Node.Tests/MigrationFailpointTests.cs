using System.Collections.Concurrent;
using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using NodeNomad.Contracts;
using NodeNomad.Testing;
using static NodeNomad.Node.Tests.MigrationProbe;

namespace NodeNomad.Node.Tests;

/// <summary>
/// A node taking part in a move is killed (SIGKILL) while the move runs under writes of unique keys: the source, the
/// target, or the meta group's leader, at each step of the move in turn. The move ends — done, or rolled back when it
/// cannot go on before its swap — no acknowledged write is lost or applied twice, and once the node is back every
/// replica the map names holds the same contents and no other node keeps one.
/// </summary>
/// <remarks>
/// Five nodes, so that the three roles are three different nodes: the meta leader is neither the source, nor the
/// target, nor the shard's leader (the shard's leadership is moved off it first), and killing one role never kills
/// another. Every step can be hit for every role, two of them only when the move is set up for it:
/// <list type="bullet">
/// <item>sending-snapshot happens only when the learner needs entries its leader compacted, so those cases run with a
/// low <c>SNAPSHOT_ENTRIES</c> and fill the log past it before the move;</item>
/// <item>transferring-leadership happens only when the source leads the shard, so in those cases the source is made
/// the shard's leader first (<c>POST /api/v1/cluster/leadership</c>); in every other case the source is a follower.</item>
/// </list>
/// The victim is killed as soon as the meta leader reports the step, and the case counts only if the move left the
/// step after the kill (the recorded time of the next step is later); a step that passed between two looks is tried
/// again on a new cluster, at most <see cref="Attempts"/> times. Adding-learner, swapping and cleaning-up last tens of
/// milliseconds, too short to be seen and acted on: there the node whose action ends the step is frozen (SIGSTOP) so the
/// move holds at the step until the victim is dead (see the test's body). Transferring-leadership ends when whichever
/// voter the source hands over to wins its election, which cannot be frozen without stopping the move; it lasts a few
/// hundred milliseconds and on a loaded machine is missed more often, so every case has five attempts.
/// </remarks>
[Collection(LocalClusters.Name)]
public sealed class MigrationFailpointTests(ITestOutputHelper output)
{
    private const int Attempts = 8;

    // Compaction threshold of the sending-snapshot cases: the fill below crosses it once before the move starts.
    private const int SnapshotEntries = 600;

    private static readonly string[] Steps =
    [
        MigrationStates.AddingLearner, MigrationStates.SendingSnapshot, MigrationStates.CatchingUp,
        MigrationStates.TransferringLeadership, MigrationStates.Swapping, MigrationStates.CleaningUp,
    ];

    public static TheoryData<string, string> Failpoints()
    {
        var data = new TheoryData<string, string>();
        foreach (var step in Steps)
        {
            foreach (var role in new[] { "source", "target", "meta-leader" })
            {
                data.Add(role, step);
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Failpoints))]
    public async Task a_move_survives_a_node_killed_at_a_step(string victimRole, string step)
    {
        for (var attempt = 1; attempt <= Attempts; attempt++)
        {
            if (await KillAtStepAsync(victimRole, step))
            {
                return;
            }

            output.WriteLine($"Attempt {attempt}: the move left {step} before the kill; trying again on a new cluster.");
        }

        throw new ShouldAssertException($"In {Attempts} attempts the {victimRole} was never killed while the move was at {step}.");
    }

    /// <summary>One cluster, one move, one kill; false when the move had left <paramref name="step"/> by the time the victim died.</summary>
    private async Task<bool> KillAtStepAsync(string victimRole, string step)
    {
        var snapshotting = step == MigrationStates.SendingSnapshot;
        var settings = new Dictionary<string, string>
        {
            ["SHARD_COUNT"] = "1",
            ["REPLICATION_FACTOR"] = "3",
            ["MIGRATION_STEP_TIMEOUT_MS"] = "4000",
        };
        if (snapshotting)
        {
            settings["SNAPSHOT_ENTRIES"] = SnapshotEntries.ToString(CultureInfo.InvariantCulture);
        }

        await using var cluster = await LocalCluster.StartAsync(5, settings);
        using var any = HttpTo(cluster.Nodes[0]);
        var shard = await ShardAsync(any, 0);
        var metaLeader = await MetaLeaderAsync(any);
        var holders = shard.Replicas.Select(r => r.NodeId).ToList();
        var target = cluster.Nodes.Select(n => n.NodeId).First(id => !holders.Contains(id) && id != metaLeader);
        var leading = step == MigrationStates.TransferringLeadership;
        var source = holders.Where(h => h != metaLeader).OrderBy(h => (h == shard.LeaderId) == leading ? 0 : 1).First();
        var shardLeader = leading ? source : shard.LeaderId!;
        if (!leading && (shardLeader == metaLeader || shardLeader == source))
        {
            shardLeader = holders.First(h => h != metaLeader && h != source);
        }

        await LeadAsync(any, shardLeader);
        var victimId = victimRole switch { "source" => source, "target" => target, _ => metaLeader };
        var victim = cluster.Nodes.Single(n => n.NodeId == victimId);
        output.WriteLine($"Source {source}, target {target}, meta leader {metaLeader}, shard leader {shardLeader}; the {victimRole} {victimId} is killed at {step}.");

        // The catching-up and sending-snapshot cases need a shard large enough for those steps to last (32 MiB); the
        // steps after them last as long whatever the shard holds, so those cases carry 2 MiB.
        var bigValues = step is MigrationStates.CatchingUp or MigrationStates.SendingSnapshot ? 128 : 8;
        var big = new string('b', 256 * 1024);
        await WriteAllAsync(any, Enumerable.Range(0, bigValues).Select(i => new SetRequest($"big-{i}", big)));
        if (snapshotting)
        {
            // Past the compaction threshold, so the leader's log no longer starts at the first entry.
            await WriteAllAsync(any, Enumerable.Range(0, SnapshotEntries - bigValues + 50).Select(i => new SetRequest($"fill-{i}", "f")));
        }

        // Unique keys written once each through every node but the victim; a write is counted only once acknowledged,
        // with the version (the log index of the write) its acknowledgement reported.
        var acknowledged = new ConcurrentDictionary<string, long>(StringComparer.Ordinal);
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
                        acknowledged[key] = (await response.Content.ReadFromJsonAsync<WriteResult>(Json.Options, stop.Token))!.Version;
                    }
                }
                catch (Exception e) when (e is HttpRequestException or OperationCanceledException)
                {
                    // Not acknowledged: it may or may not have been applied; it is not counted.
                }
            }
        })).ToList();

        try
        {
            // Three steps can end too soon after they begin to be seen and acted on (swapping lasts about 150 ms here):
            // the node that ends each is frozen (SIGSTOP)
            // so the move holds at the step until the victim is dead, then runs on. Adding-learner ends once the shard's
            // leader has added the learner, so the leader is frozen from just before the move is asked for; cleaning-up
            // ends once the source has deleted its replica, so the source is frozen once the move swaps (it is out of the
            // shard's group by then, so freezing it takes nothing else from the move); swapping ends once the shard's leader
            // has promoted the target and removed the source, so the leader is frozen as soon as the move swaps (until the
            // others elect another, which finishes the swap).
            using var meta = HttpTo(cluster.Nodes.Single(n => n.NodeId == metaLeader));
            var held = step switch
            {
                MigrationStates.AddingLearner or MigrationStates.Swapping => cluster.Nodes.Single(n => n.NodeId == shardLeader),
                MigrationStates.CleaningUp => cluster.Nodes.Single(n => n.NodeId == source),
                _ => null,
            };
            if (step == MigrationStates.AddingLearner)
            {
                await held!.PauseAsync();
            }

            // Asked of the meta leader, which is neither the frozen leader nor, yet, dead.
            using var started = await meta.PostAsJsonAsync("/api/v1/cluster/migrate", new { shardId = 0, targetNodeId = target, sourceNodeId = source });
            started.StatusCode.ShouldBe(HttpStatusCode.Accepted, await started.Content.ReadAsStringAsync());
            var id = (await started.Content.ReadFromJsonAsync<MigrationInfo>(Json.Options))!.Id;
            if (step is MigrationStates.CleaningUp or MigrationStates.Swapping)
            {
                await StepReachedAsync(meta, id, MigrationStates.Swapping);
                await held!.PauseAsync();
            }

            // The meta leader applies each step first: kill the victim as soon as it reports the step (or a later one).
            var reached = await StepReachedAsync(meta, id, step);
            victim.Kill(out var killedAt);
            if (held is { IsRunning: true })
            {
                await held.ResumeAsync();
            }

            using var survivor = HttpTo(cluster.Nodes.First(n => n != victim));
            var ended = await WaitForEndAsync(survivor, id);
            output.WriteLine($"Killed the {victimRole} {victimId} with the move at {reached}, {killedAt:HH:mm:ss.fff}.");
            output.WriteLine(string.Join(Environment.NewLine, ended.Steps.Select(s => $"{s.At:HH:mm:ss.fff} {s.State} {s.Detail}")));
            if (!DiedAt(ended, step, killedAt))
            {
                return false;
            }

            ended.State.ShouldBeOneOf(MigrationStates.Done, MigrationStates.RolledBack);
            if (!MigrationStates.IsCancellable(step))
            {
                ended.State.ShouldBe(MigrationStates.Done, "past its swap a move completes");
            }

            await victim.RestartAsync();
            await stop.CancelAsync();
            await Task.WhenAll(writers);
            acknowledged.Count.ShouldBeGreaterThan(0);

            var final = await ShardAsync(survivor, 0);
            var voters = final.Replicas.Where(r => r.Role != ReplicaRoles.Learner).Select(r => r.NodeId).ToList();
            voters.Count.ShouldBe(3);
            if (ended.State == MigrationStates.Done)
            {
                voters.ShouldContain(target);
                voters.ShouldNotContain(source);
            }
            else
            {
                voters.Order().ShouldBe(holders.Order(), "a rolled-back move leaves the replicas as they were");
            }

            await ReplicasAgreeAsync(cluster, 0, voters);
            foreach (var node in cluster.Nodes.Where(n => !voters.Contains(n.NodeId)))
            {
                using var client = HttpTo(node);
                await Eventually(async () => (await client.GetAsync("/api/v1/cluster/shards/0/replica")).StatusCode == HttpStatusCode.NotFound,
                    $"{node.NodeId}, which the map does not name, keeps no replica");
            }

            await EveryWriteOnceAsync(survivor, acknowledged);
            return true;
        }
        finally
        {
            await stop.CancelAsync();
            await Task.WhenAll(writers);
        }
    }

    /// <summary>
    /// Every acknowledged key is there, once: it holds its own value at the version its acknowledgement reported. A
    /// version is the log index of the write that produced the value, so a write applied again after it was
    /// acknowledged (a proposal made twice, an entry replayed by a new leader) would show a later one.
    /// </summary>
    private async Task EveryWriteOnceAsync(HttpClient http, ConcurrentDictionary<string, long> acknowledged)
    {
        var listed = new Dictionary<string, long>(StringComparer.Ordinal);
        string? after = null;
        do
        {
            var page = (await http.GetFromJsonAsync<KeyPage>($"/api/v1/keys?prefix=w&limit=1000{(after is null ? "" : "&after=" + Uri.EscapeDataString(after))}", Json.Options))!;
            foreach (var item in page.Items)
            {
                listed[item.Key] = item.Version;
            }

            after = page.NextCursor;
        }
        while (after is not null);

        var missing = acknowledged.Keys.Where(k => !listed.ContainsKey(k)).ToList();
        missing.ShouldBeEmpty($"{missing.Count} of {acknowledged.Count} acknowledged writes are missing");
        var moved = acknowledged.Where(a => listed[a.Key] != a.Value).Select(a => $"{a.Key}: acknowledged at {a.Value}, holds {listed[a.Key]}").ToList();
        moved.ShouldBeEmpty($"{moved.Count} acknowledged writes were applied again");

        var wrong = new ConcurrentBag<string>();
        await Parallel.ForEachAsync(acknowledged, new ParallelOptions { MaxDegreeOfParallelism = 4 }, async (write, cancellation) =>
        {
            var read = (await http.GetFromJsonAsync<KeyValue>($"/api/v1/get/{write.Key}", Json.Options, cancellation))!;
            if (read.Value != write.Key || read.Version != write.Value)
            {
                wrong.Add($"{write.Key}: {read.Value} at {read.Version}, acknowledged at {write.Value}");
            }
        });
        wrong.ShouldBeEmpty();
        output.WriteLine($"{acknowledged.Count} acknowledged writes, each there once with its own value.");
    }

    /// <summary>Polls the migration until it is at <paramref name="step"/> or past it, and returns where it is.</summary>
    private static async Task<string> StepReachedAsync(HttpClient http, string id, string step)
    {
        var deadline = DateTime.UtcNow + MoveTimeout;
        while (DateTime.UtcNow < deadline)
        {
            using var response = await http.GetAsync($"/api/v1/cluster/migrations/{id}");
            if (response.StatusCode == HttpStatusCode.OK)
            {
                var state = (await response.Content.ReadFromJsonAsync<MigrationInfo>(Json.Options))!.State;
                if (MigrationStates.IsFinal(state) || Array.IndexOf(Steps, state) >= Array.IndexOf(Steps, step))
                {
                    return state;
                }
            }

            await Task.Delay(5);
        }

        throw new ShouldAssertException($"Timed out waiting until {id} reaches {step}.");
    }

    /// <summary>Whether the move entered <paramref name="step"/> and left it no earlier than <paramref name="killedAt"/>.</summary>
    private static bool DiedAt(MigrationInfo ended, string step, DateTimeOffset killedAt)
    {
        var entered = ended.Steps.ToList().FindIndex(s => s.State == step);
        if (entered < 0)
        {
            return false;
        }

        var left = ended.Steps.Skip(entered + 1).FirstOrDefault(s => s.State != step);
        return left is null || left.At >= killedAt.AddMilliseconds(-1);
    }

    private static async Task<string> MetaLeaderAsync(HttpClient http)
    {
        string? leader = null;
        await Eventually(async () => (leader = (await http.GetFromJsonAsync<ClusterInfo>("/api/v1/cluster/info", Json.Options))!.MetaLeaderId) is not null,
            "the meta group has a leader");
        return leader!;
    }

    /// <summary>Makes <paramref name="nodeId"/> the shard's leader, as every node sees it.</summary>
    private static async Task LeadAsync(HttpClient http, string nodeId)
    {
        if ((await ShardAsync(http, 0)).LeaderId != nodeId)
        {
            using var moved = await http.PostAsJsonAsync("/api/v1/cluster/leadership", new { shardId = 0, nodeId });
            moved.StatusCode.ShouldBe(HttpStatusCode.OK, await moved.Content.ReadAsStringAsync());
        }

        await Eventually(async () => (await ShardAsync(http, 0)).LeaderId == nodeId, $"{nodeId} leads the shard");
    }

    /// <summary>Writes that fill the shard before the move; one answered 503 (the shard busy storing a snapshot) is made again.</summary>
    private static async Task WriteAllAsync(HttpClient http, IEnumerable<SetRequest> writes) =>
        await Parallel.ForEachAsync(writes, new ParallelOptions { MaxDegreeOfParallelism = 4 }, async (write, cancellation) =>
        {
            var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
            while (true)
            {
                using var response = await http.PostAsJsonAsync("/api/v1/set", write, cancellation);
                if (response.StatusCode != HttpStatusCode.ServiceUnavailable || DateTime.UtcNow > deadline)
                {
                    response.StatusCode.ShouldBe(HttpStatusCode.OK, write.Key);
                    return;
                }

                await Task.Delay(50, cancellation);
            }
        });
}
