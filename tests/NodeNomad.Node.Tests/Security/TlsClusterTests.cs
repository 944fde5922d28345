using System.Net;
using System.Net.Http.Json;
using System.Security.Authentication;
using NodeNomad.Contracts;
using NodeNomad.Testing;
using static NodeNomad.Node.Tests.MigrationProbe;

namespace NodeNomad.Node.Tests.Security;

/// <summary>
/// Three real node processes with a certificate on every port: clients write and read through each node (keys of
/// every shard, so most requests are forwarded to a leader elsewhere over the peer port), the nodes advertise https,
/// and nothing answers in clear or to a client that does not trust the cluster's authority.
/// </summary>
[Collection(LocalClusters.Name)]
public sealed class TlsClusterTests(ITestOutputHelper output)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task a_three_node_cluster_on_tls_replicates_forwards_and_serves_nothing_in_clear()
    {
        using var certificates = TestCertificates.Create();
        var settings = new Dictionary<string, string>(certificates.Settings) { ["SHARD_COUNT"] = "4" };
        await using var cluster = await LocalCluster.StartAsync(3, settings);
        var clients = cluster.Nodes.Select(n => new HttpClient(n.Handler()) { BaseAddress = n.BaseAddress, Timeout = TimeSpan.FromSeconds(15) }).ToList();
        try
        {
            await Eventually(async () => (await ShardAsync(clients[0], 3)).LeaderId is not null, "every shard has a leader", MoveTimeout);
            const int Keys = 40;
            for (var i = 0; i < Keys; i++)
            {
                using var written = await clients[i % 3].PostAsJsonAsync("/api/v1/set", new SetRequest($"tls-{i}", $"value-{i}"), Ct);
                written.StatusCode.ShouldBe(HttpStatusCode.OK, await written.Content.ReadAsStringAsync(Ct));
            }

            for (var i = 0; i < Keys; i++)
            {
                using var read = await clients[(i + 1) % 3].GetAsync($"/api/v1/get/tls-{i}?consistency=linearizable", Ct);
                read.StatusCode.ShouldBe(HttpStatusCode.OK, await read.Content.ReadAsStringAsync(Ct));
                (await read.Content.ReadFromJsonAsync<KeyValue>(Json.Options, Ct))!.Value.ShouldBe($"value-{i}");
            }

            var nodes = (await clients[2].GetFromJsonAsync<List<NodeInfo>>("/api/v1/cluster/nodes", Json.Options, Ct))!;
            nodes.Select(n => n.ClientUrl).ShouldAllBe(url => url.StartsWith("https://", StringComparison.Ordinal));
            output.WriteLine($"{Keys} writes and {Keys} linearizable reads through 3 nodes on TLS; the nodes advertise {string.Join(", ", nodes.Select(n => n.ClientUrl))}.");

            var node = cluster.Nodes[0];
            using var plain = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
            await Should.ThrowAsync<HttpRequestException>(() => plain.GetAsync(new Uri($"http://127.0.0.1:{node.Port}/health/live"), Ct));

            using var cleartextPeer = new HttpClient { Timeout = TimeSpan.FromSeconds(5), DefaultRequestVersion = HttpVersion.Version20, DefaultVersionPolicy = HttpVersionPolicy.RequestVersionExact };
            await Should.ThrowAsync<HttpRequestException>(() => cleartextPeer.GetAsync(new Uri($"http://127.0.0.1:{node.PeerPort}/"), Ct));

            // The machine's roots do not include the cluster's authority: its certificate is refused.
            using var untrusting = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
            var refused = await Should.ThrowAsync<HttpRequestException>(() => untrusting.GetAsync(new Uri(node.BaseAddress, "/health/live"), Ct));
            refused.InnerException.ShouldBeOfType<AuthenticationException>();
        }
        finally
        {
            clients.ForEach(c => c.Dispose());
        }
    }

    [Fact]
    public async Task a_node_given_a_certificate_without_its_key_refuses_to_start_and_says_why()
    {
        using var certificates = TestCertificates.Create();
        await using var node = await NodeProcess.StartAsync(environment: new Dictionary<string, string> { [TlsFiles.CertFileKey] = certificates.CertFile }, waitReady: false);

        (await node.WaitForExitAsync(TimeSpan.FromSeconds(60))).ShouldNotBe(0);
        node.Output.ShouldContain("TLS_CERT_FILE is set without TLS_KEY_FILE");
    }
}
