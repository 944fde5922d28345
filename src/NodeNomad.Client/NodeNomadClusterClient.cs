using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using NodeNomad.Contracts;

namespace NodeNomad.Client;

/// <summary>
/// The shard-aware client of a NodeNomad cluster: it reads the shard map from the seeds, sends each key's request
/// straight to the leader of the key's shard, follows a node's <c>421 Misdirected Request</c> (to the leader it
/// names at once, else after reading the map again), and waits out <c>503</c> answers to reads with backoff.
/// Thread-safe; one instance per application is meant to be shared.
/// </summary>
/// <remarks>
/// <para>Writes (set, compare-and-set, delete) are sent again only when the node provably did not execute them: after
/// a 421, or when the connection to it could not be made. A write that met a 503, a timeout or a connection dropped
/// after sending has an unknown outcome and fails as <see cref="NodeNomadClient"/> fails: with
/// <see cref="ClusterUnavailableException"/>, Polly's <c>TimeoutRejectedException</c>, or the
/// <see cref="HttpRequestException"/>.</para>
/// <para>Reads are linearizable (the shard's leader confirms them). A read or write that keeps meeting redirects or
/// 503s fails after <see cref="NodeNomadClusterClientOptions.MaxAttempts"/> with the last answer's exception.</para>
/// </remarks>
public sealed partial class NodeNomadClusterClient : INodeNomadClient
{
    private readonly Func<HttpClient> http;
    private readonly NodeNomadClusterClientOptions options;
    private readonly TimeProvider clock;
    private readonly ShardMapCache map;

    /// <summary>
    /// Creates the client over <paramref name="httpClient"/>, which it sends every request with (absolute URLs). It emits
    /// the same spans and measurements as a registered client (<see cref="ClientTelemetry"/>).
    /// </summary>
    /// <param name="httpClient">The HTTP client; the caller keeps ownership of it. Its own timeout should be infinite or longer than <see cref="NodeNomadClusterClientOptions.Timeout"/>.</param>
    /// <param name="options">Seeds, timeouts and retry settings; read once, here.</param>
    /// <param name="timeProvider">The clock; the system's by default.</param>
    /// <exception cref="ArgumentException">The options cannot be used; the message names the option.</exception>
    public NodeNomadClusterClient(HttpClient httpClient, NodeNomadClusterClientOptions options, TimeProvider? timeProvider = null)
        : this(Instrumented(httpClient), options, timeProvider ?? TimeProvider.System)
    {
    }

    internal NodeNomadClusterClient(Func<HttpClient> http, NodeNomadClusterClientOptions options, TimeProvider clock)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (options.Problem() is { } problem)
        {
            throw new ArgumentException(problem, nameof(options));
        }

        this.http = http;
        this.options = Copy(options);
        this.clock = clock;
        map = new ShardMapCache(http, this.options, clock);
    }

    /// <summary>Writes <paramref name="value"/> under <paramref name="key"/> on the leader of the key's shard.</summary>
    /// <param name="key">The key: 1 to 1024 bytes of UTF-8, any character.</param>
    /// <param name="value">The value, at most 1 MiB of UTF-8.</param>
    /// <param name="ttl">How long the key lives, rounded up to whole seconds; null for ever.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The key's new version and expiry.</returns>
    /// <exception cref="InvalidRequestException">The node refused the key, value or time to live.</exception>
    public async Task<WriteResult> SetAsync(string key, string value, TimeSpan? ttl = null, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(key);
        ArgumentNullException.ThrowIfNull(value);
        var body = Json(new SetRequest(key, value, Seconds(ttl)), NodeNomadJsonContext.Default.SetRequest);
        return Present(await SendAsync(
            new Call<WriteResult>(key, Write: true, AbsentOn404: false, HttpMethod.Post, "api/v1/set", body, NodeNomadJsonContext.Default.WriteResult),
            cancellationToken));
    }

    /// <summary>Writes <paramref name="value"/> under <paramref name="key"/> only if the key is still at <paramref name="expectedVersion"/>.</summary>
    /// <param name="key">The key.</param>
    /// <param name="expectedVersion">The version the caller read; 0 means the key must not exist.</param>
    /// <param name="value">The new value.</param>
    /// <param name="ttl">How long the key lives, rounded up to whole seconds; null for ever.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The key's new version and expiry.</returns>
    /// <exception cref="VersionConflictException">The key is at another version; nothing was written.</exception>
    public async Task<WriteResult> CompareAndSetAsync(
        string key,
        long expectedVersion,
        string value,
        TimeSpan? ttl = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(key);
        ArgumentNullException.ThrowIfNull(value);
        var body = Json(new CasRequest(key, expectedVersion, value, Seconds(ttl)), NodeNomadJsonContext.Default.CasRequest);
        return Present(await SendAsync(
            new Call<WriteResult>(key, Write: true, AbsentOn404: false, HttpMethod.Post, "api/v1/cas", body, NodeNomadJsonContext.Default.WriteResult),
            cancellationToken));
    }

    /// <summary>Writes <paramref name="value"/>, bytes, under <paramref name="key"/> on the leader of the key's shard (sent as base64, stored as bytes).</summary>
    /// <param name="key">The key: 1 to 1024 bytes of UTF-8, any character.</param>
    /// <param name="value">The value, at most 1 MiB.</param>
    /// <param name="ttl">How long the key lives, rounded up to whole seconds; null for ever.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The key's new version and expiry.</returns>
    /// <exception cref="InvalidRequestException">The node refused the key, value or time to live.</exception>
    public async Task<WriteResult> SetBytesAsync(string key, ReadOnlyMemory<byte> value, TimeSpan? ttl = null, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(key);
        var body = Json(new SetRequest(key, Convert.ToBase64String(value.Span), Seconds(ttl), ValueEncodings.Base64), NodeNomadJsonContext.Default.SetRequest);
        return Present(await SendAsync(
            new Call<WriteResult>(key, Write: true, AbsentOn404: false, HttpMethod.Post, "api/v1/set", body, NodeNomadJsonContext.Default.WriteResult),
            cancellationToken));
    }

    /// <summary>Writes <paramref name="value"/>, bytes, under <paramref name="key"/> only if the key is still at <paramref name="expectedVersion"/>.</summary>
    /// <param name="key">The key.</param>
    /// <param name="expectedVersion">The version the caller read; 0 means the key must not exist.</param>
    /// <param name="value">The new value, at most 1 MiB.</param>
    /// <param name="ttl">How long the key lives, rounded up to whole seconds; null for ever.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The key's new version and expiry.</returns>
    /// <exception cref="VersionConflictException">The key is at another version; nothing was written.</exception>
    public async Task<WriteResult> CompareAndSetBytesAsync(
        string key,
        long expectedVersion,
        ReadOnlyMemory<byte> value,
        TimeSpan? ttl = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(key);
        var body = Json(new CasRequest(key, expectedVersion, Convert.ToBase64String(value.Span), Seconds(ttl), ValueEncodings.Base64), NodeNomadJsonContext.Default.CasRequest);
        return Present(await SendAsync(
            new Call<WriteResult>(key, Write: true, AbsentOn404: false, HttpMethod.Post, "api/v1/cas", body, NodeNomadJsonContext.Default.WriteResult),
            cancellationToken));
    }

    /// <summary>Reads a key's value as bytes from the leader of its shard: those written as bytes, or the UTF-8 of text.</summary>
    /// <param name="key">The key.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The key's bytes and version, or null when it is absent or expired.</returns>
    public async Task<KeyBytes?> GetBytesAsync(string key, CancellationToken cancellationToken = default) =>
        KeyBytes.Of(await GetAsync(key, cancellationToken));

    /// <summary>Reads a key from the leader of its shard.</summary>
    /// <param name="key">The key.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The key's value and version, or null when it is absent or expired.</returns>
    public Task<KeyValue?> GetAsync(string key, CancellationToken cancellationToken = default) =>
        SendAsync(KeyCall("get", key, write: false, absentOn404: true, NodeNomadJsonContext.Default.KeyValue, HttpMethod.Get), cancellationToken);

    /// <summary>Deletes a key.</summary>
    /// <param name="key">The key.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>True when the key existed and is now deleted; false when it was absent.</returns>
    public async Task<bool> DeleteAsync(string key, CancellationToken cancellationToken = default) =>
        await SendAsync(KeyCall("delete", key, write: true, absentOn404: true, NodeNomadJsonContext.Default.DeleteResult, HttpMethod.Delete), cancellationToken)
            is not null;

    /// <summary>Whether a key holds a live (not expired) value.</summary>
    /// <param name="key">The key.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>True when it does.</returns>
    public async Task<bool> ExistsAsync(string key, CancellationToken cancellationToken = default) =>
        Present(await SendAsync(KeyCall("exists", key, write: false, absentOn404: false, NodeNomadJsonContext.Default.ExistsResult, HttpMethod.Get), cancellationToken))
            .Exists;

    /// <summary>How long a key has left.</summary>
    /// <param name="key">The key.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The key's time to live (null seconds when it never expires), or null when the key is absent.</returns>
    public Task<TtlResult?> GetTtlAsync(string key, CancellationToken cancellationToken = default) =>
        SendAsync(KeyCall("ttl", key, write: false, absentOn404: true, NodeNomadJsonContext.Default.TtlResult, HttpMethod.Get), cancellationToken);

    /// <summary>
    /// Reads one page of keys in ascending ordinal order. The node asked lists the keys it serves; while every node
    /// serves every shard that is the whole cluster.
    /// </summary>
    /// <param name="prefix">Only keys starting with this; null for all.</param>
    /// <param name="after">The <see cref="KeyPage.NextCursor"/> of the previous page; null for the first page.</param>
    /// <param name="limit">Most keys in the page; null for the node's default (100; the node allows up to 1000).</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The page.</returns>
    public async Task<KeyPage> ListKeysAsync(string? prefix = null, string? after = null, int? limit = null, CancellationToken cancellationToken = default)
    {
        var query = new List<string>();
        if (prefix is not null)
        {
            query.Add($"prefix={Uri.EscapeDataString(prefix)}");
        }

        if (after is not null)
        {
            query.Add($"after={Uri.EscapeDataString(after)}");
        }

        if (limit is { } most)
        {
            query.Add(string.Create(System.Globalization.CultureInfo.InvariantCulture, $"limit={most}"));
        }

        var path = query.Count == 0 ? "api/v1/keys" : $"api/v1/keys?{string.Join('&', query)}";
        return Present(await SendAsync(
            new Call<KeyPage>(Key: null, Write: false, AbsentOn404: false, HttpMethod.Get, path, Body: null, NodeNomadJsonContext.Default.KeyPage),
            cancellationToken));
    }

    /// <summary>Every key (with <paramref name="prefix"/>, if given) in ascending ordinal order, page after page.</summary>
    /// <param name="prefix">Only keys starting with this; null for all.</param>
    /// <param name="pageSize">Keys asked for per request; null for the node's default.</param>
    /// <param name="cancellationToken">Cancels the scan.</param>
    /// <returns>The keys.</returns>
    public IAsyncEnumerable<KeySummary> ScanAsync(
        string? prefix = null,
        int? pageSize = null,
        CancellationToken cancellationToken = default) =>
        KeyScan.AllAsync((after, ct) => ListKeysAsync(prefix, after, pageSize, ct), cancellationToken);

    /// <summary>The cluster as the node asked sees it (any node of the map, or a seed).</summary>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The summary.</returns>
    public async Task<ClusterInfo> GetClusterInfoAsync(CancellationToken cancellationToken = default) =>
        Present(await SendAsync(ClusterCall("info", NodeNomadJsonContext.Default.ClusterInfo), cancellationToken));

    /// <summary>The cluster's members.</summary>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The nodes.</returns>
    public async Task<IReadOnlyList<NodeInfo>> GetNodesAsync(CancellationToken cancellationToken = default) =>
        Present(await SendAsync(ClusterCall("nodes", NodeNomadJsonContext.Default.IReadOnlyListNodeInfo), cancellationToken));

    /// <summary>The shards, their ranges, replicas and load.</summary>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The shards.</returns>
    public async Task<IReadOnlyList<ShardInfo>> GetShardsAsync(CancellationToken cancellationToken = default) =>
        Present(await SendAsync(ClusterCall("shards", NodeNomadJsonContext.Default.IReadOnlyListShardInfo), cancellationToken));

    /// <summary>The cluster's load and storage, summed and per node.</summary>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The metrics.</returns>
    public async Task<ClusterMetrics> GetMetricsAsync(CancellationToken cancellationToken = default) =>
        Present(await SendAsync(ClusterCall("metrics", NodeNomadJsonContext.Default.ClusterMetrics), cancellationToken));

    /// <summary>
    /// The health report of a node of the cluster (the first the map lists that answers); an unhealthy node's report
    /// (a 503 with the same body) is returned, not thrown.
    /// </summary>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The report.</returns>
    public async Task<NodeHealth> GetHealthAsync(CancellationToken cancellationToken = default)
    {
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(options.Timeout);
        var route = await RouteAsync(key: null, hint: null, misses: 0, deadline.Token);
        using var response = await http().GetAsync(NodeAddress.Of(route.Target, "health"), deadline.Token);
        if (response.IsSuccessStatusCode || response.StatusCode == HttpStatusCode.ServiceUnavailable)
        {
            try
            {
                if (await response.Content.ReadFromJsonAsync(NodeNomadJsonContext.Default.NodeHealth, deadline.Token) is { } report)
                {
                    return report;
                }
            }
            catch (JsonException) when (!response.IsSuccessStatusCode)
            {
                // A 503 without a report is an ordinary unavailable answer.
            }
        }

        using var request = new HttpRequestMessage(HttpMethod.Get, NodeAddress.Of(route.Target, "health"));
        throw await ProblemAsync(request, response);
    }

    /// <summary>The shard map the client routes by; read from the seeds when there is none yet.</summary>
    /// <param name="cancellationToken">Cancels the wait (not a read other calls share).</param>
    /// <returns>The map.</returns>
    /// <exception cref="ClusterUnavailableException">No node answered with a map.</exception>
    public Task<ShardMap> GetShardMapAsync(CancellationToken cancellationToken = default) => map.CurrentAsync(cancellationToken);

    /// <summary>Reads the shard map again now (at most once per <see cref="NodeNomadClusterClientOptions.MinimumMapRefreshInterval"/>).</summary>
    /// <param name="cancellationToken">Cancels the wait (not a read other calls share).</param>
    /// <returns>The new map.</returns>
    /// <exception cref="ClusterUnavailableException">No node answered with a map.</exception>
    public Task<ShardMap> RefreshShardMapAsync(CancellationToken cancellationToken = default) => map.ReadAsync(cancellationToken);

    private static Call<T> KeyCall<T>(string operation, string key, bool write, bool absentOn404, JsonTypeInfo<T> type, HttpMethod method)
        where T : class
    {
        ArgumentException.ThrowIfNullOrEmpty(key);
        if (key is "." or "..")
        {
            throw new ArgumentException($"The key '{key}' cannot be addressed in a URL path: it is a dot segment, which URLs remove.", nameof(key));
        }

        var path = $"api/v1/{operation}/{Uri.EscapeDataString(key)}";
        return new Call<T>(key, write, absentOn404, method, path, Body: null, type);
    }

    private static Call<T> ClusterCall<T>(string what, JsonTypeInfo<T> type)
        where T : class =>
        new(Key: null, Write: false, AbsentOn404: false, HttpMethod.Get, $"api/v1/cluster/{what}", Body: null, type);

    private static byte[] Json<T>(T value, JsonTypeInfo<T> type) => JsonSerializer.SerializeToUtf8Bytes(value, type);

    private static long? Seconds(TimeSpan? ttl) => ttl is { } span ? (long)Math.Ceiling(span.TotalSeconds) : null;

    private static T Present<T>(T? value)
        where T : class =>
        value ?? throw new NodeNomadException(HttpStatusCode.NotFound, "Not found", "The node answered 404 where an answer was expected.", problem: null);

    private static Func<HttpClient> Instrumented(HttpClient httpClient)
    {
        ArgumentNullException.ThrowIfNull(httpClient);
        var instrumented = ClientTelemetryHandler.Instrument(httpClient);
        return () => instrumented;
    }

    private static NodeNomadClusterClientOptions Copy(NodeNomadClusterClientOptions options)
    {
        var copy = new NodeNomadClusterClientOptions
        {
            Timeout = options.Timeout,
            AttemptTimeout = options.AttemptTimeout < options.Timeout ? options.AttemptTimeout : options.Timeout,
            MinimumMapRefreshInterval = options.MinimumMapRefreshInterval,
            MapMaximumAge = options.MapMaximumAge,
            MaxAttempts = options.MaxAttempts,
            RetryBaseDelay = options.RetryBaseDelay,
            RetryMaxDelay = options.RetryMaxDelay,
        };
        foreach (var seed in options.Seeds)
        {
            copy.Seeds.Add(seed);
        }

        return copy;
    }

    /// <summary>One operation: what to send and how to read the answer.</summary>
    private sealed record Call<T>(string? Key, bool Write, bool AbsentOn404, HttpMethod Method, string Path, byte[]? Body, JsonTypeInfo<T> Type)
        where T : class;
}
