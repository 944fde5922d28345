using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using NodeNomad.Contracts;
using NodeNomad.Testing;
using static NodeNomad.Node.Tests.MigrationProbe;

namespace NodeNomad.Node.Tests;

/// <summary>
/// Binary values keep their bytes and their kind on every replica: through the log to the followers, and through the
/// snapshot a moved replica starts from, so that the replicas' digests agree.
/// </summary>
[Collection(LocalClusters.Name)]
public sealed class BinaryValuesReplicateTests
{
    [Fact]
    public async Task bytes_reach_every_replica_and_a_moved_one_as_bytes()
    {
        await using var cluster = await LocalCluster.StartAsync(4, new Dictionary<string, string> { ["SHARD_COUNT"] = "1", ["REPLICATION_FACTOR"] = "3" });
        using var http = HttpTo(cluster.Nodes[0]);
        var shard = await ShardAsync(http, 0);
        var values = Enumerable.Range(0, 20).ToDictionary(i => $"blob/{i}", i => new byte[] { (byte)i, 0xFF, 0x00, 0xED, 0xA0, 0x80 });
        foreach (var (key, bytes) in values)
        {
            var content = new ByteArrayContent(bytes);
            content.Headers.ContentType = new MediaTypeHeaderValue(RawValue.OctetStream);
            (await http.PutAsync($"/api/v1/set/{Uri.EscapeDataString(key)}", content)).StatusCode.ShouldBe(HttpStatusCode.OK, key);
        }

        (await http.PostAsJsonAsync("/api/v1/set", new SetRequest("text", "\u00ff\u0000"))).StatusCode.ShouldBe(HttpStatusCode.OK);
        await ReplicasAgreeAsync(cluster, 0, [.. shard.Replicas.Select(r => r.NodeId)]);

        var target = cluster.Nodes.Select(n => n.NodeId).First(id => shard.Replicas.All(r => r.NodeId != id));
        using var started = await http.PostAsJsonAsync("/api/v1/cluster/migrate", new { shardId = "shard-0", targetNodeId = target });
        started.StatusCode.ShouldBe(HttpStatusCode.Accepted, await started.Content.ReadAsStringAsync());
        var migration = (await started.Content.ReadFromJsonAsync<MigrationInfo>(Json.Options))!;
        (await WaitForEndAsync(http, migration.Id)).State.ShouldBe(MigrationStates.Done);

        var after = await ShardAsync(http, 0);
        await ReplicasAgreeAsync(cluster, 0, [.. after.Replicas.Select(r => r.NodeId)]);

        // The moved replica, read on its own (stale: no round with the leader), holds the bytes as bytes.
        using var moved = HttpTo(cluster.Nodes.Single(n => n.NodeId == target));
        foreach (var (key, bytes) in values)
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, $"/api/v1/get/{Uri.EscapeDataString(key)}?consistency=stale");
            request.Headers.Accept.ParseAdd(RawValue.OctetStream);
            using var read = await moved.SendAsync(request);
            read.StatusCode.ShouldBe(HttpStatusCode.OK, key);
            (await read.Content.ReadAsByteArrayAsync()).ShouldBe(bytes, key);
            read.Headers.GetValues(RawValue.KindHeader).Single().ShouldBe(RawValue.Binary);
        }

        var text = (await moved.GetFromJsonAsync<KeyValue>("/api/v1/get/text?consistency=stale", Json.Options))!;
        text.Value.ShouldBe("\u00ff\u0000");
        text.Encoding.ShouldBeNull();
    }
}
