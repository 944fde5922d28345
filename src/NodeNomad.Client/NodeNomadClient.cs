using System.Net;
using System.Runtime.ExceptionServices;
using System.Text.Json;
using NodeNomad.Contracts;
using Refit;

namespace NodeNomad.Client;

/// <summary>
/// The typed client of a NodeNomad cluster: typed results, <c>null</c> or <c>false</c> where a key is absent,
/// and a <see cref="NodeNomadException"/> subclass for every other error answer.
/// </summary>
/// <remarks>
/// Failures before an answer arrives surface as they are: <see cref="HttpRequestException"/> when the node
/// cannot be reached, Polly's <c>TimeoutRejectedException</c> when <see cref="NodeNomadClientOptions.Timeout"/>
/// runs out, <c>BrokenCircuitException</c> while the circuit breaker is open, and
/// <see cref="OperationCanceledException"/> when the caller's token is cancelled.
/// Arguments are checked only where it is cheap and the server could not tell; the node is the authority on
/// key length, value size and time to live.
/// </remarks>
public sealed class NodeNomadClient : INodeNomadClient
{
    private readonly INodeNomadApi api;

    /// <summary>Creates the client over a Refit implementation of the API (as registered by
    /// <see cref="ServiceCollectionExtensions.AddNodeNomadClient(Microsoft.Extensions.DependencyInjection.IServiceCollection, Action{NodeNomadClientOptions})"/>).</summary>
    /// <param name="api">The REST API.</param>
    public NodeNomadClient(INodeNomadApi api)
    {
        ArgumentNullException.ThrowIfNull(api);
        this.api = api;
    }

    /// <summary>The REST API underneath, for callers who want the raw answers.</summary>
    public INodeNomadApi Api => api;

    /// <summary>
    /// Creates a client over an <see cref="HttpClient"/> whose <see cref="HttpClient.BaseAddress"/> is a node's
    /// client URL, without dependency injection and without the resilience handler. It emits the same spans and
    /// measurements as a registered client (<see cref="ClientTelemetry"/>).
    /// </summary>
    /// <param name="httpClient">The HTTP client; the caller keeps ownership of it.</param>
    /// <returns>The client.</returns>
    public static NodeNomadClient Create(HttpClient httpClient)
    {
        ArgumentNullException.ThrowIfNull(httpClient);
        return new NodeNomadClient(RestService.ForGenerated<INodeNomadApi>(ClientTelemetryHandler.Instrument(httpClient), NodeNomadJsonContext.Default));
    }

    /// <summary>Writes <paramref name="value"/> under <paramref name="key"/>.</summary>
    /// <param name="key">The key: 1 to 1024 bytes of UTF-8, any character.</param>
    /// <param name="value">The value, at most 1 MiB of UTF-8.</param>
    /// <param name="ttl">How long the key lives, rounded up to whole seconds; null for ever.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The key's new version and expiry.</returns>
    /// <exception cref="InvalidRequestException">The node refused the key, value or time to live.</exception>
    public async Task<WriteResult> SetAsync(
        string key,
        string value,
        TimeSpan? ttl = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(key);
        ArgumentNullException.ThrowIfNull(value);
        var response = await api.SetAsync(new SetRequest(key, value, Seconds(ttl)), cancellationToken);
        return Content(response);
    }

    /// <summary>
    /// Writes <paramref name="value"/> under <paramref name="key"/> only if the key is still at
    /// <paramref name="expectedVersion"/>.
    /// </summary>
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
        var response = await api.CompareAndSetAsync(
            new CasRequest(key, expectedVersion, value, Seconds(ttl)),
            cancellationToken);
        return Content(response);
    }

    /// <summary>Writes <paramref name="value"/>, bytes, under <paramref name="key"/> (sent as base64, stored as bytes).</summary>
    /// <param name="key">The key: 1 to 1024 bytes of UTF-8, any character.</param>
    /// <param name="value">The value, at most 1 MiB.</param>
    /// <param name="ttl">How long the key lives, rounded up to whole seconds; null for ever.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The key's new version and expiry.</returns>
    /// <exception cref="InvalidRequestException">The node refused the key, value or time to live.</exception>
    public async Task<WriteResult> SetBytesAsync(string key, ReadOnlyMemory<byte> value, TimeSpan? ttl = null, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(key);
        var response = await api.SetAsync(new SetRequest(key, Convert.ToBase64String(value.Span), Seconds(ttl), ValueEncodings.Base64), cancellationToken);
        return Content(response);
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
        var response = await api.CompareAndSetAsync(
            new CasRequest(key, expectedVersion, Convert.ToBase64String(value.Span), Seconds(ttl), ValueEncodings.Base64),
            cancellationToken);
        return Content(response);
    }

    /// <summary>Reads a key's value as bytes: those written as bytes, or the UTF-8 of text.</summary>
    /// <param name="key">The key.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The key's bytes and version, or null when it is absent or expired.</returns>
    public async Task<KeyBytes?> GetBytesAsync(string key, CancellationToken cancellationToken = default) =>
        KeyBytes.Of(await GetAsync(key, cancellationToken));

    /// <summary>Reads a key.</summary>
    /// <param name="key">The key.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The key's value and version, or null when it is absent or expired.</returns>
    public async Task<KeyValue?> GetAsync(string key, CancellationToken cancellationToken = default)
    {
        var response = await api.GetAsync(PathKey(key), cancellationToken);
        return ContentOrNull(response);
    }

    /// <summary>Deletes a key.</summary>
    /// <param name="key">The key.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>True when the key existed and is now deleted; false when it was absent.</returns>
    public async Task<bool> DeleteAsync(string key, CancellationToken cancellationToken = default)
    {
        var response = await api.DeleteAsync(PathKey(key), cancellationToken);
        return ContentOrNull(response) is not null;
    }

    /// <summary>Whether a key holds a live (not expired) value.</summary>
    /// <param name="key">The key.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>True when it does.</returns>
    public async Task<bool> ExistsAsync(string key, CancellationToken cancellationToken = default)
    {
        var response = await api.ExistsAsync(PathKey(key), cancellationToken);
        return Content(response).Exists;
    }

    /// <summary>How long a key has left.</summary>
    /// <param name="key">The key.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The key's time to live (null seconds when it never expires), or null when the key is absent.</returns>
    public async Task<TtlResult?> GetTtlAsync(string key, CancellationToken cancellationToken = default)
    {
        var response = await api.GetTtlAsync(PathKey(key), cancellationToken);
        return ContentOrNull(response);
    }

    /// <summary>Reads one page of keys in ascending ordinal order.</summary>
    /// <param name="prefix">Only keys starting with this; null for all.</param>
    /// <param name="after">The <see cref="KeyPage.NextCursor"/> of the previous page; null for the first page.</param>
    /// <param name="limit">Most keys in the page; null for the node's default (100; the node allows up to 1000).</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The page.</returns>
    public async Task<KeyPage> ListKeysAsync(
        string? prefix = null,
        string? after = null,
        int? limit = null,
        CancellationToken cancellationToken = default)
    {
        var response = await api.ListKeysAsync(prefix, after, limit, cancellationToken);
        return Content(response);
    }

    /// <summary>
    /// Every key (with <paramref name="prefix"/>, if given) in ascending ordinal order, page after page until
    /// the node says there is no next page. Keys written during the scan may or may not be seen.
    /// </summary>
    /// <param name="prefix">Only keys starting with this; null for all.</param>
    /// <param name="pageSize">Keys asked for per request; null for the node's default.</param>
    /// <param name="cancellationToken">Cancels the scan.</param>
    /// <returns>The keys.</returns>
    public IAsyncEnumerable<KeySummary> ScanAsync(
        string? prefix = null,
        int? pageSize = null,
        CancellationToken cancellationToken = default) =>
        KeyScan.AllAsync((after, ct) => ListKeysAsync(prefix, after, pageSize, ct), cancellationToken);

    /// <summary>The cluster as the answering node sees it.</summary>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The summary.</returns>
    public async Task<ClusterInfo> GetClusterInfoAsync(CancellationToken cancellationToken = default) =>
        Content(await api.GetClusterInfoAsync(cancellationToken));

    /// <summary>The cluster's members.</summary>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The nodes.</returns>
    public async Task<IReadOnlyList<NodeInfo>> GetNodesAsync(CancellationToken cancellationToken = default) =>
        Content(await api.GetNodesAsync(cancellationToken));

    /// <summary>The shards, their ranges, replicas and load.</summary>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The shards.</returns>
    public async Task<IReadOnlyList<ShardInfo>> GetShardsAsync(CancellationToken cancellationToken = default) =>
        Content(await api.GetShardsAsync(cancellationToken));

    /// <summary>The cluster's load and storage, summed and per node, as the answering node gathers them.</summary>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The metrics.</returns>
    public async Task<ClusterMetrics> GetMetricsAsync(CancellationToken cancellationToken = default) =>
        Content(await api.GetMetricsAsync(cancellationToken));

    /// <summary>Starts moving a replica of shard <paramref name="shardId"/> to <paramref name="targetNodeId"/> (from <paramref name="sourceNodeId"/>, or one the cluster picks).</summary>
    /// <exception cref="InvalidRequestException">The request names no valid shard or node, or the cluster's state forbids the move (the reason says which).</exception>
    public async Task<MigrationInfo> MigrateAsync(int shardId, string targetNodeId, string? sourceNodeId = null, CancellationToken cancellationToken = default) =>
        Content(await api.MigrateAsync(new MigrateRequest(System.Text.Json.JsonSerializer.SerializeToElement(shardId, NodeNomadJsonContext.Default.Int32), targetNodeId, sourceNodeId), cancellationToken));

    /// <summary>Drains node <paramref name="nodeId"/>: its leaderships and then its replicas move to other nodes.</summary>
    /// <exception cref="InvalidRequestException">The node is not active: already draining, drained or removed (409, the reason says which).</exception>
    /// <exception cref="NodeNomadException">404: no such node.</exception>
    public async Task<NodeMembershipInfo> DrainNodeAsync(string nodeId, CancellationToken cancellationToken = default) =>
        Content(await api.DrainNodeAsync(nodeId, cancellationToken));

    /// <summary>Brings draining or drained node <paramref name="nodeId"/> back into placement.</summary>
    /// <exception cref="InvalidRequestException">The node is neither draining nor drained (409).</exception>
    /// <exception cref="NodeNomadException">404: no such node.</exception>
    public async Task<NodeMembershipInfo> UndrainNodeAsync(string nodeId, CancellationToken cancellationToken = default) =>
        Content(await api.UndrainNodeAsync(nodeId, cancellationToken));

    /// <summary>Removes node <paramref name="nodeId"/>, drained or long dead and holding no replica, from the cluster.</summary>
    /// <exception cref="InvalidRequestException">The node still holds replicas, is active and up, or is the last node (409, the reason says which).</exception>
    /// <exception cref="NodeNomadException">404: no such node.</exception>
    public async Task<NodeMembershipInfo> RemoveNodeAsync(string nodeId, CancellationToken cancellationToken = default) =>
        Content(await api.RemoveNodeAsync(nodeId, cancellationToken));

    /// <summary>Migrations in flight and recently ended, newest first.</summary>
    public async Task<IReadOnlyList<MigrationInfo>> GetMigrationsAsync(CancellationToken cancellationToken = default) =>
        Content(await api.GetMigrationsAsync(cancellationToken));

    /// <summary>One migration, by id.</summary>
    public async Task<MigrationInfo> GetMigrationAsync(string id, CancellationToken cancellationToken = default) =>
        Content(await api.GetMigrationAsync(id, cancellationToken));

    /// <summary>Cancels a migration before its swap (after it, the migration completes and this fails with the reason).</summary>
    public async Task<MigrationInfo> CancelMigrationAsync(string id, CancellationToken cancellationToken = default) =>
        Content(await api.CancelMigrationAsync(id, cancellationToken));

    /// <summary>Moves shard <paramref name="shardId"/>'s leadership to <paramref name="nodeId"/>; returns once it leads.</summary>
    public async Task<LeadershipInfo> TransferLeadershipAsync(int shardId, string nodeId, CancellationToken cancellationToken = default) =>
        Content(await api.TransferLeadershipAsync(new LeadershipRequest(System.Text.Json.JsonSerializer.SerializeToElement(shardId, NodeNomadJsonContext.Default.Int32), nodeId), cancellationToken));

    /// <summary>The rebalancer's settings, and each node's load as the meta leader's rebalancer sees it.</summary>
    public async Task<RebalancerInfo> GetRebalancerAsync(CancellationToken cancellationToken = default) =>
        Content(await api.GetRebalancerAsync(cancellationToken));

    /// <summary>Changes the rebalancer's settings; fields left null keep their value.</summary>
    /// <exception cref="InvalidRequestException">A setting is out of range (the reason names it).</exception>
    public async Task<RebalancerInfo> SetRebalancerAsync(RebalancerSettingsRequest request, CancellationToken cancellationToken = default) =>
        Content(await api.SetRebalancerAsync(request, cancellationToken));

    /// <summary>The rebalancer's decisions, newest first (at most <paramref name="limit"/>).</summary>
    public async Task<IReadOnlyList<RebalancerDecisionInfo>> GetRebalancerDecisionsAsync(int? limit = null, CancellationToken cancellationToken = default) =>
        Content(await api.GetRebalancerDecisionsAsync(limit, cancellationToken));

    /// <summary>
    /// The node's health report. An unhealthy node answers 503 with the same report; that is returned too,
    /// not thrown.
    /// </summary>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The report.</returns>
    public async Task<NodeHealth> GetHealthAsync(CancellationToken cancellationToken = default)
    {
        var response = await api.GetHealthAsync(cancellationToken);
        if (response.StatusCode == HttpStatusCode.ServiceUnavailable
            && response.HasResponseError(out var error)
            && UnhealthyReport(error) is { } report)
        {
            return report;
        }

        return Content(response);
    }

    private static NodeHealth? UnhealthyReport(ApiException error)
    {
        if (!error.HasContent)
        {
            return null;
        }

        try
        {
            return JsonSerializer.Deserialize(error.Content!, NodeNomadJsonContext.Default.NodeHealth);
        }
        catch (JsonException)
        {
            return null;
        }
    }

    /// <summary>
    /// Checks a key that goes into the URL path. "." and ".." are dot segments: System.Uri (and the server)
    /// remove them before routing, even when escaped, so the request would reach another endpoint.
    /// </summary>
    private static string PathKey(string key)
    {
        ArgumentException.ThrowIfNullOrEmpty(key);
        if (key is "." or "..")
        {
            throw new ArgumentException(
                $"The key '{key}' cannot be addressed in a URL path: it is a dot segment, which URLs remove.",
                nameof(key));
        }

        return key;
    }

    private static long? Seconds(TimeSpan? ttl) =>
        ttl is { } span ? (long)Math.Ceiling(span.TotalSeconds) : null;

    /// <summary>Creates an API key granting <paramref name="scopes"/> (needs the admin scope); the token is in the answer only.</summary>
    /// <exception cref="InvalidRequestException">The name or the scopes are not acceptable.</exception>
    public async Task<CreatedApiKey> CreateApiKeyAsync(string name, IReadOnlyList<string> scopes, CancellationToken cancellationToken = default) =>
        Content(await api.CreateApiKeyAsync(new CreateApiKeyRequest(name, scopes), cancellationToken));

    /// <summary>The cluster's API keys, without their tokens (needs the admin scope).</summary>
    public async Task<IReadOnlyList<ApiKeyInfo>> GetApiKeysAsync(CancellationToken cancellationToken = default) =>
        Content(await api.GetApiKeysAsync(cancellationToken));

    /// <summary>Revokes API key <paramref name="id"/> on every node (needs the admin scope).</summary>
    /// <exception cref="NodeNomadException">404: no such key.</exception>
    public async Task RevokeApiKeyAsync(string id, CancellationToken cancellationToken = default)
    {
        using var response = await api.RevokeApiKeyAsync(id, cancellationToken);
        if (!response.IsSuccessful)
        {
            throw Failure(response);
        }
    }

    private static T Content<T>(IApiResponse<T> response)
    {
        if (response.IsSuccessful && response.Content is { } content)
        {
            return ServedByHeaders.Stamp(content, response.Headers);
        }

        throw Failure(response);
    }

    private static T? ContentOrNull<T>(IApiResponse<T> response)
        where T : class =>
        response.StatusCode == HttpStatusCode.NotFound ? null : Content(response);

    private static Exception Failure(IApiResponse response)
    {
        if (response.HasRequestError(out var requestError))
        {
            // No answer came: rethrow what HttpClient or the resilience pipeline threw, with its stack.
            ExceptionDispatchInfo.Throw(requestError.InnerException ?? requestError);
        }

        if (response.Error?.InnerException is OperationCanceledException cancelled)
        {
            // The answer came but reading its body was cancelled (the caller's token, or the timeout): the same
            // exception as a cancellation before the answer, not a body that could not be read.
            ExceptionDispatchInfo.Throw(cancelled);
        }

        if (response.HasResponseError(out var responseError) && !response.IsSuccessStatusCode)
        {
            return ProblemResponse.ToException(responseError, TimeProvider.System);
        }

        return (Exception?)response.Error
            ?? new NodeNomadException(
                response.StatusCode.GetValueOrDefault(),
                "Empty answer",
                "The node answered without the expected body.",
                problem: null);
    }
}
