using System.Net;
using System.Net.Http.Json;
using NodeNomad.Contracts;
using NodeNomad.Testing;

namespace NodeNomad.Node.Tests;

/// <summary>A node cut off from its quorum answers 503 with Retry-After, never a stale or invented answer.</summary>
[Collection(LocalClusters.Name)]
public sealed class NoQuorumTests
{
    [Fact]
    public async Task without_a_quorum_writes_and_linearizable_reads_are_503_and_stale_reads_still_answer()
    {
        await using var cluster = await LocalCluster.StartAsync(3, new Dictionary<string, string> { ["REQUEST_TIMEOUT_MS"] = "1500" });
        var survivor = cluster.Nodes[0];
        using var http = new HttpClient { BaseAddress = survivor.BaseAddress, Timeout = TimeSpan.FromSeconds(30) };
        (await http.PostAsJsonAsync("/api/v1/set", new SetRequest("before", "quorum"))).StatusCode.ShouldBe(HttpStatusCode.OK);

        // Let the write reach every replica, then take two of three away.
        await Task.Delay(500);
        cluster.Nodes[1].Kill();
        cluster.Nodes[2].Kill();

        var write = await http.PostAsJsonAsync("/api/v1/set", new SetRequest("during", "no quorum"));
        write.StatusCode.ShouldBe(HttpStatusCode.ServiceUnavailable);
        write.Headers.RetryAfter.ShouldNotBeNull();
        write.Content.Headers.ContentType!.MediaType.ShouldBe("application/problem+json");

        var read = await http.GetAsync(new Uri("/api/v1/get/before", UriKind.Relative));
        read.StatusCode.ShouldBe(HttpStatusCode.ServiceUnavailable);
        read.Headers.RetryAfter.ShouldNotBeNull();

        var stale = await http.GetAsync(new Uri("/api/v1/get/before?consistency=stale", UriKind.Relative));
        stale.StatusCode.ShouldBe(HttpStatusCode.OK);
        (await stale.Content.ReadFromJsonAsync<KeyValue>())!.Value.ShouldBe("quorum");

        // With one peer back the group has a quorum again and serves, the earlier write included.
        await cluster.Nodes[1].RestartAsync(waitReady: true);
        var again = await http.GetAsync(new Uri("/api/v1/get/before", UriKind.Relative));
        again.StatusCode.ShouldBe(HttpStatusCode.OK);
        (await http.PostAsJsonAsync("/api/v1/set", new SetRequest("after", "quorum"))).StatusCode.ShouldBe(HttpStatusCode.OK);
    }
}
