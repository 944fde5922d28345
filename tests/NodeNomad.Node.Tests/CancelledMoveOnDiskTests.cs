using System.Net;
using System.Net.Http.Json;
using NodeNomad.Contracts;
using NodeNomad.Core.Cluster;
using NodeNomad.Node.Runtime;
using NodeNomad.Storage;
using NodeNomad.Testing;
using static NodeNomad.Node.Tests.MigrationProbe;

namespace NodeNomad.Node.Tests;

/// <summary>
/// A move cancelled while its target takes the shard in leaves no trace of the shard on the target's disk: no snapshot
/// file of the group, no byte of its values in any file of the node's data folder (the log segments it shared with the
/// meta group are rewritten without them), and nothing replay of the log brings back, so the target, restarted, holds
/// no replica. <c>ScrubbedDropTests</c> in the storage tests cover the rewrites.
/// </summary>
[Collection(LocalClusters.Name)]
public sealed class CancelledMoveOnDiskTests(ITestOutputHelper output)
{
    private static readonly ulong ShardGroup = ShardRecord.GroupOf(0);

    [Fact]
    public async Task a_cancelled_move_leaves_no_snapshot_file_of_the_shard_and_nothing_replay_brings_back_on_the_targets_disk()
    {
        await using var cluster = await LocalCluster.StartAsync(4, new Dictionary<string, string> { ["SHARD_COUNT"] = "1", ["REPLICATION_FACTOR"] = "3" });
        using var any = HttpTo(cluster.Nodes[0]);
        var shard = await ShardAsync(any, 0);
        var targetNode = cluster.Nodes.First(n => shard.Replicas.All(r => r.NodeId != n.NodeId));
        using var target = HttpTo(targetNode);
        using var http = HttpTo(cluster.Nodes.First(n => n != targetNode));
        var log = Path.Combine(targetNode.DataDir, NodeServices.LogFolder);

        // Every value carries a marker no other data has, so a search of the target's files finds any copy of the shard's.
        var marker = $"cancelled-move-{Guid.NewGuid():N}";
        var big = marker + new string('b', 256 * 1024);
        await Parallel.ForEachAsync(Enumerable.Range(0, 128), new ParallelOptions { MaxDegreeOfParallelism = 4 }, async (i, cancellation) =>
            (await http.PostAsJsonAsync("/api/v1/set", new SetRequest($"big-{i}", big), cancellation)).StatusCode.ShouldBe(HttpStatusCode.OK));

        using var started = await http.PostAsJsonAsync("/api/v1/cluster/migrate", new { shardId = 0, targetNodeId = targetNode.NodeId });
        started.StatusCode.ShouldBe(HttpStatusCode.Accepted, await started.Content.ReadAsStringAsync());
        var id = (await started.Content.ReadFromJsonAsync<MigrationInfo>(Json.Options))!.Id;

        // As soon as the target has applied some of the shard's 32 MiB it is frozen (SIGSTOP): the learner takes nothing
        // more, so the move waits before its swap however fast the rest would have come, and the cancel lands.
        var deadline = DateTime.UtcNow + MoveTimeout;
        while (!await HoldsPartOfTheShardAsync(target))
        {
            DateTime.UtcNow.ShouldBeLessThan(deadline, $"the target receives some of the shard ({id})");
        }

        await targetNode.PauseAsync();
        try
        {
            // The shard's leader records that the learner is being sent the shard without hearing from it.
            var state = "";
            await Eventually(async () => (state = (await http.GetFromJsonAsync<MigrationInfo>($"/api/v1/cluster/migrations/{id}", Json.Options))!.State)
                is not MigrationStates.AddingLearner, $"{id} is past adding the learner");
            state.ShouldBeOneOf(MigrationStates.SendingSnapshot, MigrationStates.CatchingUp);
            using var cancelled = await http.PostAsync($"/api/v1/cluster/migrations/{id}/cancel", null);
            cancelled.StatusCode.ShouldBe(HttpStatusCode.Accepted, await cancelled.Content.ReadAsStringAsync());
            var ended = await WaitForEndAsync(http, id);
            output.WriteLine($"Cancelled at {state}.");
            output.WriteLine(string.Join(Environment.NewLine, ended.Steps.Select(s => $"{s.At:HH:mm:ss.fff} {s.State} {s.Detail}")));
            ended.State.ShouldBe(MigrationStates.Cancelled);
        }
        finally
        {
            await targetNode.ResumeAsync();
        }

        await Eventually(async () => (await target.GetAsync("/api/v1/cluster/shards/0/replica")).StatusCode == HttpStatusCode.NotFound,
            "the target deletes the learner it had");

        // The drop reaches the disk in the target's next save: read a copy of its log, as recovery reads it, until it
        // holds nothing of the shard.
        await Eventually(async () => (await GroupsOnDiskAsync(log)).All(g => g == MetaReplica.MetaGroupId), "the target's log forgets the shard");

        targetNode.Kill();
        var files = Directory.EnumerateFiles(log, "*", SearchOption.AllDirectories).Order()
            .Select(f => $"{Path.GetRelativePath(log, f)} ({new FileInfo(f).Length} bytes)").ToList();
        output.WriteLine($"{targetNode.NodeId}'s log once stopped: {string.Join(", ", files)}");
        var snapshots = Directory.EnumerateFiles(Path.Combine(log, "snap")).Select(Path.GetFileName).ToList();
        snapshots.ShouldAllBe(f => f!.StartsWith($"g{MetaReplica.MetaGroupId:D20}-", StringComparison.Ordinal) && f.EndsWith(".snap", StringComparison.Ordinal),
            "only the meta group keeps a snapshot file");
        (await RecoverAsync(log)).ShouldAllBe(g => g == MetaReplica.MetaGroupId, "replay brings back nothing of the shard");
        var needle = System.Text.Encoding.UTF8.GetBytes(marker);
        Directory.EnumerateFiles(targetNode.DataDir, "*", SearchOption.AllDirectories)
            .Where(f => File.ReadAllBytes(f).AsSpan().IndexOf(needle) >= 0)
            .Select(f => Path.GetRelativePath(targetNode.DataDir, f))
            .ShouldBeEmpty("no file of the target's data folder holds a byte of the shard's values");

        await targetNode.RestartAsync();
        await Eventually(async () => (await target.GetFromJsonAsync<MigrationInfo>($"/api/v1/cluster/migrations/{id}", Json.Options))!.State == MigrationStates.Cancelled,
            "the restarted target has applied the cancelled move");
        (await target.GetAsync("/api/v1/cluster/shards/0/replica")).StatusCode.ShouldBe(HttpStatusCode.NotFound, "the restarted target holds no replica");
        (await ShardAsync(http, 0)).Replicas.Select(r => r.NodeId).Order().ShouldBe(shard.Replicas.Select(r => r.NodeId).Order());
    }

    /// <summary>Whether the target's replica of the shard has applied entries beyond the group's first ones, that is, some of its data.</summary>
    private static async Task<bool> HoldsPartOfTheShardAsync(HttpClient target)
    {
        using var response = await target.GetAsync("/api/v1/cluster/shards/0/replica");
        return response.StatusCode == HttpStatusCode.OK && (await response.Content.ReadFromJsonAsync<ReplicaDigest>(Json.Options))!.Keys > 0;
    }

    /// <summary>The groups of a copy of the running node's log (its own files are held), as recovery finds them.</summary>
    private static async Task<List<ulong>> GroupsOnDiskAsync(string log)
    {
        var copy = Directory.CreateTempSubdirectory("nodenomad-log-copy-").FullName;
        try
        {
            foreach (var folder in new[] { "wal", "snap" })
            {
                Directory.CreateDirectory(Path.Combine(copy, folder));
                foreach (var file in Directory.EnumerateFiles(Path.Combine(log, folder)))
                {
                    try
                    {
                        File.Copy(file, Path.Combine(copy, folder, Path.GetFileName(file)));
                    }
                    catch (FileNotFoundException)
                    {
                        // Deleted meanwhile (a replaced snapshot, a covered segment): the log no longer needs it.
                    }
                }
            }

            return await RecoverAsync(copy);
        }
        catch (LogCorruptedException)
        {
            // A file copied while it changed: the next look copies it again.
            return [ShardGroup];
        }
        finally
        {
            Directory.Delete(copy, recursive: true);
        }
    }

    /// <summary>The Raft groups (not their memberships' log keys) that recovery of <paramref name="directory"/> finds.</summary>
    private static async Task<List<ulong>> RecoverAsync(string directory)
    {
        await using var log = new FileRaftLog(directory);
        var recovered = await log.RecoverAsync();
        return [.. recovered.Groups.Keys.Select(key => ReplicaIds.OfLogKey(key).GroupId)];
    }
}
