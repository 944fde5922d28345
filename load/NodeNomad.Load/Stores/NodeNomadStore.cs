using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using NodeNomad.Contracts;

namespace NodeNomad.Load.Stores;

/// <summary>
/// A NodeNomad cluster through its REST API, loaded like a shard-aware caller: writes, compare-and-sets and deletes
/// go to the leader of the key's shard as last known, reads and scans to each node in turn. Every request asks to
/// be redirected rather than forwarded (<c>X-NodeNomad-Redirect: true</c>), and a 421 is followed to the leader it
/// names, at most <see cref="MaxRedirects"/> times, and counted. <see cref="ThroughOneNode"/> instead sends everything
/// to one node, which forwards.
/// </summary>
internal sealed class NodeNomadStore : IKeyValueStore
{
    private const int MaxRedirects = 3;
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { DefaultIgnoreCondition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull };

    private readonly HttpClient http;
    private readonly IReadOnlyList<Uri> nodes;
    private readonly bool redirect;
    private ShardRange[] shards = [];
    private long turn;

    /// <param name="redirect">Asks for a 421 naming the leader instead of forwarding; false to let the nodes forward.</param>
    public NodeNomadStore(HttpClient http, IReadOnlyList<Uri> nodes, bool redirect = true)
    {
        this.http = http;
        this.nodes = nodes;
        this.redirect = redirect;
    }

    /// <summary>
    /// Every request to <paramref name="node"/>, without asking for redirects: the node forwards to the key's shard
    /// leader what it does not lead, as it does for any HTTP client (curl, wrk).
    /// </summary>
    public static NodeNomadStore ThroughOneNode(HttpClient http, Uri node) => new(http, [node], redirect: false);

    public string Name => "NodeNomad";

    public IReadOnlyList<string> Notes { get; } = [];

    public bool Supports(OperationKind kind) => true;

    /// <summary>Learns the shards' ranges and leaders from the cluster map, so that writes go straight to the leaders.</summary>
    public async Task LearnShardsAsync(CancellationToken cancellationToken)
    {
        var map = await http.GetFromJsonAsync<ShardInfo[]>(new Uri(nodes[0], "api/v1/cluster/shards"), Json, cancellationToken) ?? [];
        var clients = await http.GetFromJsonAsync<NodeInfo[]>(new Uri(nodes[0], "api/v1/cluster/nodes"), Json, cancellationToken) ?? [];
        shards = [.. map.Select(s => new ShardRange(
            ulong.Parse(s.RangeStart, NumberStyles.HexNumber, CultureInfo.InvariantCulture),
            ulong.Parse(s.RangeEnd, NumberStyles.HexNumber, CultureInfo.InvariantCulture),
            clients.FirstOrDefault(n => n.Id == s.LeaderId)?.ClientUrl is { Length: > 0 } url ? new Uri(url) : null))];
    }

    public Task<OperationResult> ReadAsync(string key, bool linearizable, CancellationToken cancellationToken) =>
        SendAsync(key, leaderOnly: false, () => new HttpRequestMessage(HttpMethod.Get,
            $"api/v1/get/{Uri.EscapeDataString(key)}?consistency={(linearizable ? "linearizable" : "stale")}"), cancellationToken);

    public Task<OperationResult> WriteAsync(string key, string value, int? ttlSeconds, CancellationToken cancellationToken) =>
        SendAsync(key, leaderOnly: true, () => new HttpRequestMessage(HttpMethod.Post, "api/v1/set")
        {
            Content = JsonContent.Create(new SetRequest(key, value, ttlSeconds), options: Json),
        }, cancellationToken);

    public Task<OperationResult> CompareAndSetAsync(string key, long expectedVersion, string value, CancellationToken cancellationToken) =>
        SendAsync(key, leaderOnly: true, () => new HttpRequestMessage(HttpMethod.Post, "api/v1/cas")
        {
            Content = JsonContent.Create(new CasRequest(key, expectedVersion, value), options: Json),
        }, cancellationToken);

    public Task<OperationResult> DeleteAsync(string key, CancellationToken cancellationToken) =>
        SendAsync(key, leaderOnly: true, () => new HttpRequestMessage(HttpMethod.Delete, $"api/v1/delete/{Uri.EscapeDataString(key)}"), cancellationToken);

    public Task<OperationResult> ScanAsync(string prefix, int limit, CancellationToken cancellationToken) =>
        SendAsync(key: null, leaderOnly: false, () => new HttpRequestMessage(HttpMethod.Get,
            string.Create(CultureInfo.InvariantCulture, $"api/v1/keys?prefix={Uri.EscapeDataString(prefix)}&limit={limit}")), cancellationToken);

    private async Task<OperationResult> SendAsync(string? key, bool leaderOnly, Func<HttpRequestMessage> make, CancellationToken cancellationToken)
    {
        var shard = key is null ? -1 : ShardOf(key);
        var node = leaderOnly && shard >= 0 && shards[shard].Leader is { } leader ? leader : nodes[(int)(Interlocked.Increment(ref turn) % nodes.Count)];
        for (var redirects = 0; ; redirects++)
        {
            using var request = make();
            request.RequestUri = new Uri(node, request.RequestUri!);
            if (redirect)
            {
                request.Headers.Add(RoutingHeaders.Redirect, "true");
            }

            var (sent, error) = await StoreHttp.SendAsync(http, request, cancellationToken);
            if (sent is null)
            {
                return error with { Redirects = redirects };
            }

            using var response = sent;
            switch (response.StatusCode)
            {
                case HttpStatusCode.OK:
                    using (var body = await StoreHttp.ReadJsonAsync(response, cancellationToken))
                    {
                        return OperationResult.Ok(body is null ? 0 : StoreHttp.Number(body.RootElement, "version"), redirects) with
                        {
                            Value = body is not null && body.RootElement.TryGetProperty("value", out var read) && read.ValueKind == JsonValueKind.String ? read.GetString() : null,
                        };
                    }

                case HttpStatusCode.NotFound:
                    return new OperationResult(Outcome.NotFound, Redirects: redirects);
                case HttpStatusCode.Conflict:
                    using (var body = await StoreHttp.ReadJsonAsync(response, cancellationToken))
                    {
                        return new OperationResult(Outcome.Conflict, body is null ? 0 : StoreHttp.Number(body.RootElement, "currentVersion"), redirects);
                    }

                case HttpStatusCode.MisdirectedRequest when redirects < MaxRedirects
                    && response.Headers.TryGetValues(RoutingHeaders.LeaderUrl, out var urls) && Uri.TryCreate(urls.First(), UriKind.Absolute, out var named):
                    node = named;
                    if (shard >= 0)
                    {
                        shards[shard] = shards[shard] with { Leader = named };
                    }

                    continue;
                case HttpStatusCode.MisdirectedRequest:
                    // No leader known to the node (an election is on): the shard cannot serve now, as with a 503.
                    var refused = await StoreHttp.ErrorAsync(response, cancellationToken);
                    return refused with { Outcome = Outcome.Unavailable, Redirects = redirects };
                default:
                    return await StoreHttp.ErrorAsync(response, cancellationToken) with { Redirects = redirects };
            }
        }
    }

    private int ShardOf(string key)
    {
        var position = KeyPosition.Of(key);
        var known = shards;
        for (var i = 0; i < known.Length; i++)
        {
            if (position >= known[i].Start && position <= known[i].End)
            {
                return i;
            }
        }

        return -1;
    }

    private sealed record ShardRange(ulong Start, ulong End, Uri? Leader);
}
