using System.Net;
using System.Net.Http.Json;
using NodeNomad.Contracts;
using NodeNomad.Testing;
using static NodeNomad.Node.Tests.MigrationProbe;

namespace NodeNomad.Node.Tests;

/// <summary>
/// A leader takes a write, appends it, and loses its leadership before any follower has the entry: the new leader's
/// entry takes that index, so the write can never commit. The node knows it did not take effect and makes it again
/// (now through the new leader), so the client that sent it sees a slower write, not a 503.
/// </summary>
[Collection(LocalClusters.Name)]
public sealed class WritesThroughElectionsTests(ITestOutputHelper output)
{
    // Long enough that the write is appended well before the followers give up on the leader.
    private const int ElectionTimeoutMs = 3000;

    // The transport's fault switch re-reads its file at most every 200 ms, and the leader sends a heartbeat every
    // 50 ms, so by then its messages are dropped; far below the election timeout, so it still leads.
    private static readonly TimeSpan SwitchInForce = TimeSpan.FromMilliseconds(1000);

    [Fact]
    public async Task a_write_a_new_leader_overturned_is_made_again_and_answered_200()
    {
        var faults = Directory.CreateTempSubdirectory("nodenomad-overturn-");
        try
        {
            await using var cluster = await LocalCluster.StartAsync(3, new Dictionary<string, string>
            {
                ["NODENOMAD_TEST_FAULTS"] = Path.Combine(faults.FullName, LocalCluster.NodeIdPlaceholder),
                ["ELECTION_TIMEOUT"] = $"{ElectionTimeoutMs}",
                ["REQUEST_TIMEOUT_MS"] = "30000",
            });
            using var any = HttpTo(cluster.Nodes[0]);
            string? leaderId = null;
            await Eventually(async () => (leaderId = (await ShardAsync(any, 0)).LeaderId) is not null, "the shard has a leader", MoveTimeout);
            var leader = cluster.Nodes.Single(n => n.NodeId == leaderId);
            using var http = new HttpClient { BaseAddress = leader.BaseAddress, Timeout = TimeSpan.FromSeconds(60) };
            (await http.PostAsJsonAsync("/api/v1/set", new SetRequest("before", "1"))).StatusCode.ShouldBe(HttpStatusCode.OK);

            // The leader's outgoing Raft messages are dropped from now on; what it receives still arrives.
            await File.WriteAllTextAsync(Path.Combine(faults.FullName, leader.NodeId), "loss=1", TestContext.Current.CancellationToken);
            await Task.Delay(SwitchInForce, TestContext.Current.CancellationToken);
            var write = http.PostAsJsonAsync("/api/v1/set", new SetRequest("overturned", "made again"), TestContext.Current.CancellationToken);

            // The followers elect one of themselves; then the old leader may speak again, learns of the new term and
            // takes the new leader's log, whose entry stands where its write was.
            var others = cluster.Nodes.Where(n => n != leader).ToList();
            string? successor = null;
            await Eventually(async () =>
            {
                foreach (var node in others)
                {
                    if (await LocalCluster.LeaderSeenByAsync(node) is { } seen && seen != leader.NodeId)
                    {
                        successor = seen;
                        return true;
                    }
                }

                return false;
            }, "a follower is elected", MoveTimeout);
            write.IsCompleted.ShouldBeFalse("the write cannot commit while its leader's messages are dropped");
            await File.WriteAllTextAsync(Path.Combine(faults.FullName, leader.NodeId), "", TestContext.Current.CancellationToken);

            using var answered = await write;
            output.WriteLine($"{leader.NodeId} led and took the write; {successor} was elected; the write was answered {(int)answered.StatusCode}.");
            answered.StatusCode.ShouldBe(HttpStatusCode.OK, await answered.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));
            leader.Output.ShouldContain("did not take effect; it is made again", Case.Sensitive, "the write went the overturned path");
            using var read = await any.GetAsync("/api/v1/get/overturned?consistency=linearizable", TestContext.Current.CancellationToken);
            (await read.Content.ReadFromJsonAsync<KeyValue>(Json.Options, TestContext.Current.CancellationToken))!.Value.ShouldBe("made again");
        }
        finally
        {
            faults.Delete(recursive: true);
        }
    }
}
