using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using NodeNomad.Contracts;
using NodeNomad.Testing;
using static NodeNomad.Node.Tests.MigrationProbe;

namespace NodeNomad.Node.Tests;

/// <summary>
/// A node that holds no replica of a shard forwards its writes to the leader it knows. When that leader has just died,
/// the forward cannot connect and the write never leaves the node: it waits for the shard to name its next leader and
/// goes there, instead of being answered 503. Only when no leader comes within the patience is it refused, saying why.
/// </summary>
[Collection(LocalClusters.Name)]
public sealed class WritesPastAKilledLeaderTests(ITestOutputHelper output)
{
    [Fact]
    public async Task a_write_forwarded_to_a_leader_that_just_died_goes_to_the_next_leader_and_is_refused_only_when_none_comes()
    {
        var (cluster, shard, entry) = await OneShardBesideAnEntryNode.StartAsync();
        await using var stopped = cluster;
        using var http = HttpTo(entry);
        var leader = cluster.Nodes.Single(n => n.NodeId == shard.LeaderId);
        leader.Kill();
        using var past = await http.PostAsJsonAsync("/api/v1/set", new SetRequest("past-the-first", "2"));
        var body = await past.Content.ReadAsStringAsync();
        output.WriteLine($"{leader.NodeId} was killed; the next write through {entry.NodeId} was answered {(int)past.StatusCode} by {string.Join(",", past.Headers.TryGetValues("X-NodeNomad-Served-By", out var by) ? by : [])}: {body}");
        past.StatusCode.ShouldBe(HttpStatusCode.OK, body);
        var next = past.Headers.GetValues("X-NodeNomad-Served-By").Single();
        next.ShouldNotBe(leader.NodeId);
        using (var read = await http.GetAsync("/api/v1/get/past-the-first?consistency=linearizable"))
        {
            (await read.Content.ReadFromJsonAsync<KeyValue>(Json.Options))!.Value.ShouldBe("2");
        }

        // With the next leader killed too, one replica of three is left: no leader can be elected, and the write is
        // refused once the patience is over, naming the node it could not reach.
        var second = cluster.Nodes.Single(n => n.NodeId == next);
        second.Kill();
        var clock = Stopwatch.StartNew();
        using var refused = await http.PostAsJsonAsync("/api/v1/set", new SetRequest("no-leader", "3"));
        output.WriteLine($"{second.NodeId} was killed too; the next write was answered {(int)refused.StatusCode} after {clock.Elapsed.TotalSeconds:F1} s.");
        await ShouldBeProblemAsync(refused, HttpStatusCode.ServiceUnavailable, "could not be reached");
    }
}
