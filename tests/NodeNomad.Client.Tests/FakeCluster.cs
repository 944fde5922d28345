using System.Collections.Concurrent;
using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json;
using NodeNomad.Contracts;

namespace NodeNomad.Client.Tests;

/// <summary>A key request as a node of the fake cluster received it.</summary>
internal sealed record ClusterRequest(string NodeId, HttpMethod Method, string Path, string? Key, long? Epoch, bool Redirect);

/// <summary>One shard of the fake cluster: its range, leader and epoch, changed by tests to move it.</summary>
internal sealed class FakeShard(int id, ulong start, ulong end, string? leaderId)
{
    public int Id { get; } = id;

    public ulong Start { get; } = start;

    public ulong End { get; } = end;

    public string? LeaderId { get; set; } = leaderId;

    public long Epoch { get; set; } = 1;

    public bool Owns(ulong position) => position >= Start && position <= End;
}

/// <summary>
/// An <see cref="HttpMessageHandler"/> standing in for a whole cluster of nodes <c>http://node-N.test:300N</c>: every
/// node serves the same shard map, leads the shards the map says it leads, answers 421 (with the leader's URL) to a
/// shard-aware request for a shard it does not lead or that names an older epoch, and forwards (answers) any
/// other request. A test can script a node's next answers to stand for an outage.
/// </summary>
internal sealed class FakeCluster : HttpMessageHandler
{
    private readonly ConcurrentDictionary<string, ConcurrentQueue<Func<HttpRequestMessage, CancellationToken, Task<HttpResponseMessage>>>> scripts = new();
    private readonly List<FakeShard> shards = [];
    private readonly Lock gate = new();
    private int mapReads;

    /// <summary>A cluster of <paramref name="nodes"/> nodes and <paramref name="shardCount"/> equal shards, shard i led by node (i mod nodes) + 1.</summary>
    public FakeCluster(int nodes, int shardCount)
    {
        NodeIds = [.. Enumerable.Range(1, nodes).Select(i => $"node-{i}")];
        var width = ulong.MaxValue / (ulong)shardCount;
        for (var i = 0; i < shardCount; i++)
        {
            var start = (ulong)i * width;
            var end = i == shardCount - 1 ? ulong.MaxValue : ((ulong)(i + 1) * width) - 1;
            shards.Add(new FakeShard(i, start, end, NodeIds[i % nodes]));
        }
    }

    public IReadOnlyList<string> NodeIds { get; }

    public IReadOnlyList<FakeShard> Shards => shards;

    public ConcurrentQueue<ClusterRequest> KeyRequests { get; } = new();

    public int MapReads => mapReads;

    /// <summary>Nodes that map reads reach; the others refuse the connection.</summary>
    public HashSet<string> Down { get; } = [];


    public static Uri UrlOf(string nodeId) => new($"http://{nodeId}.test:{3000 + int.Parse(nodeId["node-".Length..], CultureInfo.InvariantCulture)}");

    public FakeShard ShardOf(string key) => shards.Single(s => s.Owns(KeyPosition.Of(key)));

    public NodeNomadClusterClient Client(Action<NodeNomadClusterClientOptions>? configure = null)
    {
        var options = new NodeNomadClusterClientOptions
        {
            RetryBaseDelay = TimeSpan.FromMilliseconds(1),
            RetryMaxDelay = TimeSpan.FromMilliseconds(5),
            MinimumMapRefreshInterval = TimeSpan.Zero,
        };
        options.Seeds.Add(UrlOf(NodeIds[0]));
        configure?.Invoke(options);
        return new NodeNomadClusterClient(new HttpClient(this), options);
    }

    /// <summary>The node's next answers to key requests, before it behaves as a node again.</summary>
    public FakeCluster Then(string nodeId, Func<HttpRequestMessage, CancellationToken, Task<HttpResponseMessage>> answer)
    {
        scripts.GetOrAdd(nodeId, _ => new()).Enqueue(answer);
        return this;
    }

    public FakeCluster Then(string nodeId, Func<HttpRequestMessage, HttpResponseMessage> answer) =>
        Then(nodeId, (request, _) => Task.FromResult(answer(request)));

    public FakeCluster ThenUnavailable(string nodeId, int times, int? retryAfterSeconds = null)
    {
        for (var i = 0; i < times; i++)
        {
            Then(nodeId, _ =>
            {
                var response = Problem(HttpStatusCode.ServiceUnavailable, "Unavailable", "No quorum for the shard.");
                if (retryAfterSeconds is { } seconds)
                {
                    response.Headers.RetryAfter = new System.Net.Http.Headers.RetryConditionHeaderValue(TimeSpan.FromSeconds(seconds));
                }

                return response;
            });
        }

        return this;
    }

    /// <summary>Moves a shard's leadership to <paramref name="nodeId"/> and bumps its epoch, as a migration would.</summary>
    public void Move(FakeShard shard, string nodeId)
    {
        lock (gate)
        {
            shard.LeaderId = nodeId;
            shard.Epoch++;
        }
    }

    public IReadOnlyList<ClusterRequest> RequestsFor(string key) => [.. KeyRequests.Where(r => r.Key == key)];

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var uri = request.RequestUri!;
        var nodeId = uri.Host.Replace(".test", string.Empty, StringComparison.Ordinal);
        if (Down.Contains(nodeId))
        {
            throw new HttpRequestException(HttpRequestError.ConnectionError, $"Connection refused ({uri.Authority})");
        }

        var path = uri.AbsolutePath;
        if (path == "/api/v1/cluster/shards")
        {
            Interlocked.Increment(ref mapReads);
            return Ok(ShardsJson());
        }

        if (path == "/api/v1/cluster/nodes")
        {
            return Ok(NodesJson());
        }

        if (path == "/api/v1/cluster/info")
        {
            return Ok($$"""{"clusterId":"c-1","nodeId":"{{nodeId}}","version":"0.1.0","shardCount":{{shards.Count}},"replicationFactor":3,"metaLeaderId":"node-1","health":"healthy","warnings":[],"metaTerm":4}""");
        }

        if (path == "/health")
        {
            return new HttpResponseMessage(HttpStatusCode.ServiceUnavailable)
            {
                Content = new StringContent("""{"status":"Unhealthy","checks":[]}""", Encoding.UTF8, "application/json"),
            };
        }

        var key = await KeyOf(request, cancellationToken);
        var epoch = request.Headers.TryGetValues(RoutingHeaders.Epoch, out var epochs) ? long.Parse(epochs.Single(), CultureInfo.InvariantCulture) : (long?)null;
        var redirect = request.Headers.TryGetValues(RoutingHeaders.Redirect, out var redirects) && redirects.Single() == "true";
        KeyRequests.Enqueue(new ClusterRequest(nodeId, request.Method, path, key, epoch, redirect));

        if (scripts.TryGetValue(nodeId, out var script) && script.TryDequeue(out var scripted))
        {
            var answer = await scripted(request, cancellationToken);
            answer.RequestMessage = request;
            return answer;
        }

        if (key is null)
        {
            return Ok(Answers.Page(null, "a", "b"));
        }

        FakeShard shard;
        string? leader;
        long current;
        lock (gate)
        {
            shard = ShardOf(key);
            leader = shard.LeaderId;
            current = shard.Epoch;
        }

        if (redirect && (leader != nodeId || epoch < current))
        {
            var misdirected = Problem(HttpStatusCode.MisdirectedRequest, "Misdirected request", $"{nodeId} does not lead shard {shard.Id}.");
            if (leader is not null)
            {
                misdirected.Headers.Add(RoutingHeaders.LeaderUrl, UrlOf(leader).ToString());
            }

            misdirected.Headers.Add(RoutingHeaders.ShardEpoch, current.ToString(CultureInfo.InvariantCulture));
            return misdirected;
        }

        var response = Ok(path.Split('/')[3] switch
        {
            "set" or "cas" => $$"""{"key":{{JsonSerializer.Serialize(key)}},"version":7,"expiresAt":null}""",
            "get" => Answers.Value(key),
            "delete" => Answers.Deleted(key),
            "exists" => Answers.Exists(key, true),
            _ => Answers.Ttl(key),
        });
        response.Headers.Add(RoutingHeaders.ShardEpoch, current.ToString(CultureInfo.InvariantCulture));
        response.Headers.Add(RoutingHeaders.Shard, shard.Id.ToString(CultureInfo.InvariantCulture));
        response.Headers.Add("X-Served-By", nodeId);
        return response;
    }

    private static async Task<string?> KeyOf(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var segments = request.RequestUri!.AbsolutePath.Split('/');
        if (request.Content is not null)
        {
            using var body = JsonDocument.Parse(await request.Content.ReadAsStringAsync(cancellationToken));
            return body.RootElement.GetProperty("key").GetString();
        }

        return segments is [_, "api", "v1", "keys"] ? null : Uri.UnescapeDataString(segments[^1]);
    }

    private string ShardsJson()
    {
        lock (gate)
        {
            return JsonSerializer.Serialize(shards.Select(s => new
            {
                id = s.Id,
                rangeStart = s.Start.ToString("x16", CultureInfo.InvariantCulture),
                rangeEnd = s.End.ToString("x16", CultureInfo.InvariantCulture),
                leaderId = s.LeaderId,
                epoch = s.Epoch,
                replicas = NodeIds.Select(n => new { nodeId = n, role = n == s.LeaderId ? "leader" : "follower" }),
                keys = 0,
                bytes = 0,
                commitIndex = 0,
                appliedIndex = 0,
                readsPerSecond = 0.0,
                writesPerSecond = 0.0,
            }));
        }
    }

    private string NodesJson() => JsonSerializer.Serialize(NodeIds.Select(n => new
    {
        id = n,
        clientUrl = UrlOf(n).ToString(),
        state = Down.Contains(n) ? "down" : "up",
        replicas = Array.Empty<int>(),
        leaderships = Array.Empty<int>(),
        version = "0.1.0",
        startedAt = (DateTimeOffset?)null,
    }));

    public static HttpResponseMessage Ok(string json) =>
        new(HttpStatusCode.OK) { Content = new StringContent(json, Encoding.UTF8, "application/json") };

    public static HttpResponseMessage Problem(HttpStatusCode status, string title, string detail) =>
        new(status)
        {
            Content = new StringContent(
                JsonSerializer.Serialize(new { title, detail, status = (int)status }), Encoding.UTF8, "application/problem+json"),
        };
}
