using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Net.Sockets;
using System.Text;
using NodeNomad.Node.Transport;
using NodeNomad.Node.Tests.Transport;
using NodeNomad.Raft;
using NodeNomad.Testing;

namespace NodeNomad.Node.Tests.Fuzzing;

/// <summary>
/// Garbage on the peer port of a node of a running 3-node cluster: random bytes on the raw socket, the HTTP/2 preface
/// followed by random frames, Raft streams without the secret or with a false one, and, with the secret, streams of
/// random bytes, frames cut short or lying about their length, and well-formed messages for groups the node does not
/// hold. No node exits, every answer on the port is a ProblemDetails or a success, the secret is still asked for, and
/// the cluster still commits writes with every value it acknowledged before intact.
/// </summary>
[Collection(LocalClusters.Name)]
public sealed class PeerPortFuzzTests(ITestOutputHelper output)
{
    private const string Secret = "local-cluster-test-secret";
    private static readonly TimeSpan Budget = TimeSpan.FromSeconds(60);

    private static HttpClient H2c() => new(new SocketsHttpHandler { ConnectTimeout = TimeSpan.FromSeconds(2) })
    {
        DefaultRequestVersion = HttpVersion.Version20,
        DefaultVersionPolicy = HttpVersionPolicy.RequestVersionExact,
        Timeout = TimeSpan.FromSeconds(10),
    };

    private static Uri Peer(NodeProcess node, string path) => new($"http://127.0.0.1:{node.PeerPort}{path}");

    /// <summary>The frames a lying or broken sender makes: random bytes, cut frames, false lengths and types, messages for no group here.</summary>
    private static byte[] Stream(Random random)
    {
        var messages = Enumerable.Range(0, 1 + random.Next(5))
            .Select(_ => new GroupMessage(1_000_000 + (ulong)random.Next(1_000_000), RandomMessages.Message(random, RandomMessages.AllTypes[random.Next(RandomMessages.AllTypes.Length)], maxDataBytes: 64)))
            .ToList();
        var valid = Wire.Encode(messages, random, chunkBytes: 100);
        return random.Next(7) switch
        {
            0 => MalformedRequests.RandomBytes(random, random.Next(3000)),
            1 => valid[..random.Next(valid.Length)],
            2 => [.. Wire.BigEndian((uint)random.Next()), (byte)random.Next(256), .. MalformedRequests.RandomBytes(random, random.Next(100))],
            3 => [.. Wire.BigEndian((uint)valid.Length * 2), .. valid],
            4 => [.. valid, .. MalformedRequests.RandomBytes(random, 1 + random.Next(20))],
            5 => Flip(random, valid),
            _ => valid,
        };
    }

    private static byte[] Flip(Random random, byte[] bytes)
    {
        var copy = (byte[])bytes.Clone();
        if (copy.Length > 0)
        {
            copy[random.Next(copy.Length)] ^= (byte)(1 + random.Next(255));
        }

        return copy;
    }

    /// <summary>Sends bytes on a fresh TCP connection to the port, says it sends no more, and reads what comes back until the server closes (2 s at most).</summary>
    private static async Task RawAsync(int port, byte[] bytes)
    {
        using var client = new TcpClient();
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        timeout.CancelAfter(TimeSpan.FromSeconds(2));
        try
        {
            await client.ConnectAsync("127.0.0.1", port, timeout.Token);
            var stream = client.GetStream();
            await stream.WriteAsync(bytes, timeout.Token);
            client.Client.Shutdown(SocketShutdown.Send);
            var buffer = new byte[4096];
            while (await stream.ReadAsync(buffer, timeout.Token) > 0)
            {
            }
        }
        catch (Exception e) when (e is IOException or SocketException or OperationCanceledException)
        {
            // Reset, refused or left open: the node decides, the test only watches it survive.
        }
    }

    private static async Task<string?> SendAsync(HttpClient h2c, HttpRequestMessage request)
    {
        try
        {
            using var response = await h2c.SendAsync(request, TestContext.Current.CancellationToken);
            return await ProblemAnswer.FaultAsync(response);
        }
        catch (Exception e) when (e is HttpRequestException or IOException or TaskCanceledException)
        {
            // The node ended the stream at a bad frame (as it should) or the connection died with it.
            return null;
        }
    }

    private static HttpRequestMessage Request(HttpMethod method, Uri uri, string? authorization, byte[]? body = null)
    {
        var request = new HttpRequestMessage(method, uri) { Version = HttpVersion.Version20, VersionPolicy = HttpVersionPolicy.RequestVersionExact };
        if (authorization is not null)
        {
            request.Headers.TryAddWithoutValidation("Authorization", authorization);
        }

        if (body is not null)
        {
            request.Content = new ByteArrayContent(body);
            request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/octet-stream");
        }

        return request;
    }

    [Fact]
    public async Task garbage_on_the_peer_port_crashes_no_node_and_the_cluster_commits_writes_afterwards()
    {
        var seed = RandomMessages.Seed(output, GetType());
        var random = new Random(seed);
        await using var cluster = await LocalCluster.StartAsync(3);
        await cluster.WaitForLeaderAsync(TimeSpan.FromSeconds(30));
        using var client = new HttpClient { BaseAddress = cluster.Nodes[0].BaseAddress, Timeout = TimeSpan.FromSeconds(10) };
        var acknowledged = await AcknowledgedWrites.WriteAsync(client, 5, random);
        using var h2c = H2c();
        string?[] falseSecrets = [null, "", "Bearer", "Bearer ", $"bearer {Secret}", $"Bearer {Secret.ToUpperInvariant()}", $"Basic {Secret}", $"Bearer {Secret}x"];
        string[] peerPaths = ["/raft/v1/stream", "/raft/v1/ping", "/raft/v1/snapshots/1", "/peer/v1/status", "/peer/v1/join", "/peer/v1/meta", "/api/v1/set", "/api/v1/cluster/info", "/nothing"];
        var faults = new List<string>();
        var clock = Stopwatch.StartNew();
        var rounds = 0;
        for (; rounds < 2000 && clock.Elapsed < Budget; rounds++)
        {
            var target = cluster.Nodes[rounds % cluster.Nodes.Count];
            switch (random.Next(6))
            {
                case 0:
                    await RawAsync(target.PeerPort, MalformedRequests.RandomBytes(random, 1 + random.Next(2000)));
                    break;
                case 1:
                    await RawAsync(target.PeerPort, [.. "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"u8, .. MalformedRequests.RandomBytes(random, random.Next(500))]);
                    break;
                case 2:
                    {
                        // Without the secret nothing is served: every path answers 401.
                        var path = peerPaths[random.Next(peerPaths.Length)];
                        using var request = Request(path.Contains("stream", StringComparison.Ordinal) || random.Next(2) == 0 ? HttpMethod.Post : HttpMethod.Get,
                            Peer(target, path), falseSecrets[random.Next(falseSecrets.Length)], Stream(random));
                        using var response = await h2c.SendAsync(request, TestContext.Current.CancellationToken);
                        if (response.StatusCode != HttpStatusCode.Unauthorized || await ProblemAnswer.FaultAsync(response) is not null)
                        {
                            faults.Add($"#{rounds} {request.Method} {path} with a false secret → {(int)response.StatusCode}");
                        }

                        break;
                    }

                case 3:
                    {
                        var query = $"?from={MalformedRequests.RouteValue(random)}&index={MalformedRequests.RouteValue(random)}&term=-1";
                        using var request = Request(HttpMethod.Get, Peer(target, $"/raft/v1/snapshots/{MalformedRequests.RouteValue(random)}{query}"), $"Bearer {Secret}");
                        if (await SendAsync(h2c, request) is { } fault)
                        {
                            faults.Add($"#{rounds} snapshots query {query} → {fault}");
                        }

                        break;
                    }

                case 4:
                    {
                        var path = random.Next(2) == 0 ? "/peer/v1/meta" : "/peer/v1/join";
                        using var request = Request(HttpMethod.Post, Peer(target, path), $"Bearer {Secret}", MalformedRequests.Body(random));
                        if (await SendAsync(h2c, request) is { } fault)
                        {
                            faults.Add($"#{rounds} POST {path} → {fault}");
                        }

                        break;
                    }

                default:
                    {
                        using var request = Request(HttpMethod.Post, Peer(target, RaftTransportEndpoints.StreamPath), $"Bearer {Secret}", Stream(random));
                        if (await SendAsync(h2c, request) is { } fault)
                        {
                            faults.Add($"#{rounds} a stream of garbage frames → {fault}");
                        }

                        break;
                    }
            }
        }

        output.WriteLine($"{rounds} rounds in {clock.Elapsed.TotalSeconds:F1} s, {faults.Count} faults");
        faults.ShouldBeEmpty($"seed {seed}:\n{string.Join("\n", faults.Take(20))}");
        foreach (var node in cluster.Nodes)
        {
            node.IsRunning.ShouldBeTrue($"{node.NodeId} exited (seed {seed}):\n{node.Output[^Math.Min(3000, node.Output.Length)..]}");
            using var refused = await h2c.SendAsync(Request(HttpMethod.Get, Peer(node, RaftTransportEndpoints.PingPath), null), TestContext.Current.CancellationToken);
            refused.StatusCode.ShouldBe(HttpStatusCode.Unauthorized, $"{node.NodeId} still asks for the secret");
            using var ping = await h2c.SendAsync(Request(HttpMethod.Get, Peer(node, RaftTransportEndpoints.PingPath), $"Bearer {Secret}"), TestContext.Current.CancellationToken);
            (await ping.Content.ReadAsStringAsync(TestContext.Current.CancellationToken)).ShouldBe("pong");
        }

        foreach (var node in cluster.Nodes)
        {
            using var http = new HttpClient { BaseAddress = node.BaseAddress, Timeout = TimeSpan.FromSeconds(10) };
            using var written = await AcknowledgedWrites.RetryAsync(() => http.PostAsJsonAsync("/api/v1/set", new { key = $"after-fuzz/{node.NodeId}", value = seed.ToString(System.Globalization.CultureInfo.InvariantCulture) }, Json.Options));
            written.StatusCode.ShouldBe(HttpStatusCode.OK, $"{node.NodeId} commits a write after the fuzzing");
            (await acknowledged.DifferencesAsync(http)).ShouldBeEmpty($"seed {seed}: values acknowledged before the fuzzing, read through {node.NodeId}");
        }
    }
}
