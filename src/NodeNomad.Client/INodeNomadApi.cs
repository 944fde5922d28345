using NodeNomad.Contracts;
using Refit;

namespace NodeNomad.Client;

/// <summary>
/// The REST API of a NodeNomad node, one method per endpoint. Every method returns the raw
/// <see cref="IApiResponse{T}"/> so that callers see status codes and problem bodies as they came;
/// <see cref="NodeNomadClient"/> turns them into typed results and exceptions.
/// </summary>
/// <remarks>
/// A key travels in the path as a single segment, escaped with <see cref="Uri.EscapeDataString(string)"/>:
/// <c>/</c> becomes <c>%2F</c>, so a key never spans two segments.
/// </remarks>
public interface INodeNomadApi
{
    /// <summary><c>POST /api/v1/set</c>: writes a value.</summary>
    /// <param name="request">The key, value and time to live.</param>
    /// <param name="cancellationToken">Cancels the request.</param>
    /// <returns>200 with the write's outcome, or a problem.</returns>
    [Post("/api/v1/set")]
    Task<IApiResponse<WriteResult>> SetAsync([Body(buffered: true)] SetRequest request, CancellationToken cancellationToken = default);

    /// <summary><c>POST /api/v1/cas</c>: writes a value only if the key's version is still the expected one.</summary>
    /// <param name="request">The key, expected version, value and time to live.</param>
    /// <param name="cancellationToken">Cancels the request.</param>
    /// <returns>200 with the write's outcome, 409 when the version did not match, or another problem.</returns>
    [Post("/api/v1/cas")]
    Task<IApiResponse<WriteResult>> CompareAndSetAsync([Body(buffered: true)] CasRequest request, CancellationToken cancellationToken = default);

    /// <summary><c>GET /api/v1/get/{key}</c>: reads a key.</summary>
    /// <param name="key">The key.</param>
    /// <param name="cancellationToken">Cancels the request.</param>
    /// <returns>200 with the value, 404 when the key is absent or expired, or another problem.</returns>
    [Get("/api/v1/get/{key}")]
    Task<IApiResponse<KeyValue>> GetAsync(string key, CancellationToken cancellationToken = default);

    /// <summary><c>DELETE /api/v1/delete/{key}</c>: deletes a key.</summary>
    /// <param name="key">The key.</param>
    /// <param name="cancellationToken">Cancels the request.</param>
    /// <returns>200 with the delete's outcome, 404 when the key is absent, or another problem.</returns>
    [Delete("/api/v1/delete/{key}")]
    Task<IApiResponse<DeleteResult>> DeleteAsync(string key, CancellationToken cancellationToken = default);

    /// <summary><c>GET /api/v1/exists/{key}</c>: whether a key holds a live value.</summary>
    /// <param name="key">The key.</param>
    /// <param name="cancellationToken">Cancels the request.</param>
    /// <returns>200 with the answer, or a problem.</returns>
    [Get("/api/v1/exists/{key}")]
    Task<IApiResponse<ExistsResult>> ExistsAsync(string key, CancellationToken cancellationToken = default);

    /// <summary><c>GET /api/v1/ttl/{key}</c>: how long a key has left.</summary>
    /// <param name="key">The key.</param>
    /// <param name="cancellationToken">Cancels the request.</param>
    /// <returns>200 with the time to live, 404 when the key is absent, or another problem.</returns>
    [Get("/api/v1/ttl/{key}")]
    Task<IApiResponse<TtlResult>> GetTtlAsync(string key, CancellationToken cancellationToken = default);

    /// <summary><c>GET /api/v1/keys</c>: one page of keys in ascending ordinal order.</summary>
    /// <param name="prefix">Only keys starting with this; null for all.</param>
    /// <param name="after">The cursor of the previous page; null for the first page.</param>
    /// <param name="limit">Most keys in the page; null for the node's default (100, at most 1000).</param>
    /// <param name="cancellationToken">Cancels the request.</param>
    /// <returns>200 with the page, or a problem.</returns>
    [Get("/api/v1/keys")]
    Task<IApiResponse<KeyPage>> ListKeysAsync(
        string? prefix = null,
        string? after = null,
        int? limit = null,
        CancellationToken cancellationToken = default);

    /// <summary><c>GET /api/v1/cluster/info</c>: the cluster as the answering node sees it.</summary>
    /// <param name="cancellationToken">Cancels the request.</param>
    /// <returns>200 with the summary, or a problem.</returns>
    [Get("/api/v1/cluster/info")]
    Task<IApiResponse<ClusterInfo>> GetClusterInfoAsync(CancellationToken cancellationToken = default);

    /// <summary><c>GET /api/v1/cluster/nodes</c>: the cluster's members.</summary>
    /// <param name="cancellationToken">Cancels the request.</param>
    /// <returns>200 with the nodes, or a problem.</returns>
    [Get("/api/v1/cluster/nodes")]
    Task<IApiResponse<IReadOnlyList<NodeInfo>>> GetNodesAsync(CancellationToken cancellationToken = default);

    /// <summary><c>POST /api/v1/cluster/nodes/{id}/drain</c>: moves every leadership and then every replica off a node.</summary>
    /// <param name="id">The node.</param>
    /// <param name="cancellationToken">Cancels the request.</param>
    /// <returns>200 once the drain is recorded, 404 for an unknown node, 409 when it is not active.</returns>
    [Post("/api/v1/cluster/nodes/{id}/drain")]
    Task<IApiResponse<NodeMembershipInfo>> DrainNodeAsync(string id, CancellationToken cancellationToken = default);

    /// <summary><c>POST /api/v1/cluster/nodes/{id}/undrain</c>: brings a draining or drained node back into placement.</summary>
    /// <param name="id">The node.</param>
    /// <param name="cancellationToken">Cancels the request.</param>
    /// <returns>200, 404 for an unknown node, 409 when it is neither draining nor drained.</returns>
    [Post("/api/v1/cluster/nodes/{id}/undrain")]
    Task<IApiResponse<NodeMembershipInfo>> UndrainNodeAsync(string id, CancellationToken cancellationToken = default);

    /// <summary><c>DELETE /api/v1/cluster/nodes/{id}</c>: removes a drained or long-dead node that holds no replica from the cluster and its meta group.</summary>
    /// <param name="id">The node.</param>
    /// <param name="cancellationToken">Cancels the request.</param>
    /// <returns>200, 404 for an unknown node, 409 while it holds replicas, is active and up, or is the last node.</returns>
    [Delete("/api/v1/cluster/nodes/{id}")]
    Task<IApiResponse<NodeMembershipInfo>> RemoveNodeAsync(string id, CancellationToken cancellationToken = default);

    /// <summary><c>GET /api/v1/cluster/shards</c>: the shards, their ranges and replicas.</summary>
    /// <param name="cancellationToken">Cancels the request.</param>
    /// <returns>200 with the shards, or a problem.</returns>
    [Get("/api/v1/cluster/shards")]
    Task<IApiResponse<IReadOnlyList<ShardInfo>>> GetShardsAsync(CancellationToken cancellationToken = default);

    /// <summary><c>GET /api/v1/cluster/metrics</c>: the cluster's load and storage, summed and per node.</summary>
    /// <param name="cancellationToken">Cancels the request.</param>
    /// <returns>200 with the metrics, or a problem.</returns>
    [Get("/api/v1/cluster/metrics")]
    Task<IApiResponse<ClusterMetrics>> GetMetricsAsync(CancellationToken cancellationToken = default);

    /// <summary><c>POST /api/v1/cluster/migrate</c>: moves a replica of a shard to another node.</summary>
    /// <param name="request">The shard, the target and (optionally) the source.</param>
    /// <param name="cancellationToken">Cancels the request.</param>
    /// <returns>202 with the migration, or a problem (400 for a request that names nothing valid, 409 for one the cluster's state forbids).</returns>
    [Post("/api/v1/cluster/migrate")]
    Task<IApiResponse<MigrationInfo>> MigrateAsync([Body(buffered: true)] MigrateRequest request, CancellationToken cancellationToken = default);

    /// <summary><c>GET /api/v1/cluster/migrations</c>: migrations in flight and recently ended, newest first.</summary>
    /// <param name="cancellationToken">Cancels the request.</param>
    /// <returns>200 with the migrations.</returns>
    [Get("/api/v1/cluster/migrations")]
    Task<IApiResponse<IReadOnlyList<MigrationInfo>>> GetMigrationsAsync(CancellationToken cancellationToken = default);

    /// <summary><c>GET /api/v1/cluster/migrations/{id}</c>: one migration.</summary>
    /// <param name="id">The migration's id.</param>
    /// <param name="cancellationToken">Cancels the request.</param>
    /// <returns>200 with the migration, or 404.</returns>
    [Get("/api/v1/cluster/migrations/{id}")]
    Task<IApiResponse<MigrationInfo>> GetMigrationAsync(string id, CancellationToken cancellationToken = default);

    /// <summary><c>POST /api/v1/cluster/migrations/{id}/cancel</c>: cancels a migration before its swap.</summary>
    /// <param name="id">The migration's id.</param>
    /// <param name="cancellationToken">Cancels the request.</param>
    /// <returns>202 with the migration, 404, or 409 once it is past its swap or ended.</returns>
    [Post("/api/v1/cluster/migrations/{id}/cancel")]
    Task<IApiResponse<MigrationInfo>> CancelMigrationAsync(string id, CancellationToken cancellationToken = default);

    /// <summary><c>POST /api/v1/cluster/leadership</c>: moves a shard's leadership to one of its voters.</summary>
    /// <param name="request">The shard and the node to lead it.</param>
    /// <param name="cancellationToken">Cancels the request.</param>
    /// <returns>200 once the node leads, or a problem.</returns>
    [Post("/api/v1/cluster/leadership")]
    Task<IApiResponse<LeadershipInfo>> TransferLeadershipAsync([Body(buffered: true)] LeadershipRequest request, CancellationToken cancellationToken = default);

    /// <summary><c>GET /api/v1/cluster/shards/{shard}/replica</c>: the answering node's replica of a shard (applied index, digest).</summary>
    /// <param name="shard">The shard, <c>shard-N</c> or <c>N</c>.</param>
    /// <param name="cancellationToken">Cancels the request.</param>
    /// <returns>200 with the digest, or 404 when the node holds no replica of it.</returns>
    [Get("/api/v1/cluster/shards/{shard}/replica")]
    Task<IApiResponse<ReplicaDigest>> GetReplicaDigestAsync(string shard, CancellationToken cancellationToken = default);

    /// <summary><c>GET /api/v1/cluster/rebalancer</c>: the rebalancer's settings and each node's load as it sees it.</summary>
    /// <param name="cancellationToken">Cancels the request.</param>
    /// <returns>200 with the settings and loads.</returns>
    [Get("/api/v1/cluster/rebalancer")]
    Task<IApiResponse<RebalancerInfo>> GetRebalancerAsync(CancellationToken cancellationToken = default);

    /// <summary><c>PUT /api/v1/cluster/rebalancer</c>: changes the rebalancer's settings (fields left out keep their value).</summary>
    /// <param name="request">The settings to change.</param>
    /// <param name="cancellationToken">Cancels the request.</param>
    /// <returns>200 with the settings now in force, or 400 naming the field that is wrong.</returns>
    [Put("/api/v1/cluster/rebalancer")]
    Task<IApiResponse<RebalancerInfo>> SetRebalancerAsync([Body(buffered: true)] RebalancerSettingsRequest request, CancellationToken cancellationToken = default);

    /// <summary><c>GET /api/v1/cluster/rebalancer/decisions</c>: the rebalancer's decisions, newest first.</summary>
    /// <param name="limit">At most this many.</param>
    /// <param name="cancellationToken">Cancels the request.</param>
    /// <returns>200 with the decisions.</returns>
    [Get("/api/v1/cluster/rebalancer/decisions")]
    Task<IApiResponse<IReadOnlyList<RebalancerDecisionInfo>>> GetRebalancerDecisionsAsync(int? limit = null, CancellationToken cancellationToken = default);

    /// <summary><c>POST /api/v1/admin/keys</c>: creates an API key (admin scope); the answer holds its token, shown this once.</summary>
    /// <param name="request">The key's name and scopes.</param>
    /// <param name="cancellationToken">Cancels the request.</param>
    /// <returns>201 with the key and its token, or 400 naming the field that is wrong.</returns>
    [Post("/api/v1/admin/keys")]
    Task<IApiResponse<CreatedApiKey>> CreateApiKeyAsync([Body(buffered: true)] CreateApiKeyRequest request, CancellationToken cancellationToken = default);

    /// <summary><c>GET /api/v1/admin/keys</c>: the cluster's API keys (admin scope), without their tokens.</summary>
    /// <param name="cancellationToken">Cancels the request.</param>
    /// <returns>200 with the keys.</returns>
    [Get("/api/v1/admin/keys")]
    Task<IApiResponse<IReadOnlyList<ApiKeyInfo>>> GetApiKeysAsync(CancellationToken cancellationToken = default);

    /// <summary><c>DELETE /api/v1/admin/keys/{id}</c>: revokes an API key (admin scope) on every node.</summary>
    /// <param name="id">The key's id.</param>
    /// <param name="cancellationToken">Cancels the request.</param>
    /// <returns>204, or 404 for an unknown key.</returns>
    [Delete("/api/v1/admin/keys/{id}")]
    Task<IApiResponse> RevokeApiKeyAsync(string id, CancellationToken cancellationToken = default);

    /// <summary><c>GET /health</c>: the node's health report.</summary>
    /// <param name="cancellationToken">Cancels the request.</param>
    /// <returns>200 when healthy or degraded, 503 (with the same body) when unhealthy.</returns>
    [Get("/health")]
    Task<IApiResponse<NodeHealth>> GetHealthAsync(CancellationToken cancellationToken = default);
}
