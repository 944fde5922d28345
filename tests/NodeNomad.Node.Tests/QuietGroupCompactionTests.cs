using Microsoft.Extensions.DependencyInjection;
using NodeNomad.Core.Cluster;
using NodeNomad.Node.Shards;

namespace NodeNomad.Node.Tests;

/// <summary>
/// Every group shares the node's log, so a quiet group whose entries are never snapshotted would keep every later
/// log segment on disk. A group left far behind the log's head is snapshotted even below the threshold.
/// </summary>
public sealed class QuietGroupCompactionTests
{
    [Fact]
    public async Task a_quiet_shard_and_the_meta_group_are_snapshotted_once_the_busy_shard_moves_the_log_on()
    {
        using var node = new NodeFactory(new() { ["SHARD_COUNT"] = "2", ["SNAPSHOT_ENTRIES"] = "10" });
        var http = node.CreateClient();
        var host = node.Services.GetRequiredService<ReplicaHost>();
        var keys = Enumerable.Range(0, 400).Select(i => $"key-{i}").ToList();
        var quietKey = keys.First(k => host.Map.ShardForKey(k)!.Id == 0);
        var busyKeys = keys.Where(k => host.Map.ShardForKey(k)!.Id == 1).Take(40).ToList();

        await http.SetAsync(quietKey, "once");
        var quiet = host.Shard(0)!;
        quiet.SnapshotIndex.ShouldBe(0, "one write is far below the threshold of 10");

        foreach (var key in busyKeys)
        {
            await http.SetAsync(key, "often");
        }

        host.Shard(1)!.SnapshotIndex.ShouldBeGreaterThan(0, "the busy shard passed its threshold");
        quiet.SnapshotIndex.ShouldBeGreaterThan(0, "the quiet shard was left more than 20 entries behind the log's head");
        host.Meta.SnapshotIndex.ShouldBeGreaterThan(0, "so was the meta group");
        (await (await http.GetAsync(Json.KeyPath("get", quietKey))).BodyAsync<NodeNomad.Contracts.KeyValue>()).Value.ShouldBe("once");
    }
}
