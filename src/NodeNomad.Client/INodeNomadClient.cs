using NodeNomad.Contracts;

namespace NodeNomad.Client;

/// <summary>
/// What an application does with a NodeNomad cluster. <see cref="NodeNomadClient"/> (one node, which forwards to the
/// shard leaders) and <see cref="NodeNomadClusterClient"/> (straight to each key's shard leader) both implement it, so
/// an application can switch between them, or mock it, without changing its code. The typed JSON helpers
/// (<see cref="NodeNomadClientJsonExtensions"/>) work on either.
/// </summary>
/// <remarks>
/// Absent keys are answers (<c>null</c> or <c>false</c>); every other error answer is a <see cref="NodeNomadException"/>
/// subclass. Key answers carry <see cref="ServedBy"/>: the shard that served them and its epoch.
/// </remarks>
public interface INodeNomadClient
{
    /// <summary>Writes <paramref name="value"/> under <paramref name="key"/>.</summary>
    /// <param name="key">The key: 1 to 1024 bytes of UTF-8, any character.</param>
    /// <param name="value">The value, at most 1 MiB of UTF-8.</param>
    /// <param name="ttl">How long the key lives, rounded up to whole seconds; null for ever.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The key's new version and expiry.</returns>
    Task<WriteResult> SetAsync(string key, string value, TimeSpan? ttl = null, CancellationToken cancellationToken = default);

    /// <summary>Writes <paramref name="value"/> under <paramref name="key"/> only if the key is still at <paramref name="expectedVersion"/>.</summary>
    /// <param name="key">The key.</param>
    /// <param name="expectedVersion">The version the caller read; 0 means the key must not exist.</param>
    /// <param name="value">The new value.</param>
    /// <param name="ttl">How long the key lives, rounded up to whole seconds; null for ever.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The key's new version and expiry.</returns>
    /// <exception cref="VersionConflictException">The key is at another version; nothing was written.</exception>
    Task<WriteResult> CompareAndSetAsync(string key, long expectedVersion, string value, TimeSpan? ttl = null, CancellationToken cancellationToken = default);

    /// <summary>Writes <paramref name="value"/>, bytes, under <paramref name="key"/>; a read gets them back as bytes, never as text.</summary>
    /// <param name="key">The key: 1 to 1024 bytes of UTF-8, any character.</param>
    /// <param name="value">The value, at most 1 MiB.</param>
    /// <param name="ttl">How long the key lives, rounded up to whole seconds; null for ever.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The key's new version and expiry.</returns>
    Task<WriteResult> SetBytesAsync(string key, ReadOnlyMemory<byte> value, TimeSpan? ttl = null, CancellationToken cancellationToken = default);

    /// <summary>Writes <paramref name="value"/>, bytes, under <paramref name="key"/> only if the key is still at <paramref name="expectedVersion"/>.</summary>
    /// <param name="key">The key.</param>
    /// <param name="expectedVersion">The version the caller read; 0 means the key must not exist.</param>
    /// <param name="value">The new value, at most 1 MiB.</param>
    /// <param name="ttl">How long the key lives, rounded up to whole seconds; null for ever.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The key's new version and expiry.</returns>
    /// <exception cref="VersionConflictException">The key is at another version; nothing was written.</exception>
    Task<WriteResult> CompareAndSetBytesAsync(string key, long expectedVersion, ReadOnlyMemory<byte> value, TimeSpan? ttl = null, CancellationToken cancellationToken = default);

    /// <summary>Reads a key's value as bytes: those written as bytes, or the UTF-8 of text.</summary>
    /// <param name="key">The key.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The key's bytes and version, or null when it is absent or expired.</returns>
    Task<KeyBytes?> GetBytesAsync(string key, CancellationToken cancellationToken = default);

    /// <summary>Reads a key.</summary>
    /// <param name="key">The key.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The key's value and version, or null when it is absent or expired. A value written as bytes comes in base64,
    /// with <see cref="KeyValue.Encoding"/> <c>base64</c> (<see cref="KeyValue.GetBytes"/> decodes it).</returns>
    Task<KeyValue?> GetAsync(string key, CancellationToken cancellationToken = default);

    /// <summary>Deletes a key.</summary>
    /// <param name="key">The key.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>True when the key existed and is now deleted; false when it was absent.</returns>
    Task<bool> DeleteAsync(string key, CancellationToken cancellationToken = default);

    /// <summary>Whether a key holds a live (not expired) value.</summary>
    /// <param name="key">The key.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>True when it does.</returns>
    Task<bool> ExistsAsync(string key, CancellationToken cancellationToken = default);

    /// <summary>How long a key has left.</summary>
    /// <param name="key">The key.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The key's time to live (null seconds when it never expires), or null when the key is absent.</returns>
    Task<TtlResult?> GetTtlAsync(string key, CancellationToken cancellationToken = default);

    /// <summary>Reads one page of keys in ascending ordinal order.</summary>
    /// <param name="prefix">Only keys starting with this; null for all.</param>
    /// <param name="after">The <see cref="KeyPage.NextCursor"/> of the previous page; null for the first page.</param>
    /// <param name="limit">Most keys in the page; null for the node's default (100; the node allows up to 1000).</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The page.</returns>
    Task<KeyPage> ListKeysAsync(string? prefix = null, string? after = null, int? limit = null, CancellationToken cancellationToken = default);

    /// <summary>Every key (with <paramref name="prefix"/>, if given) in ascending ordinal order, page after page.</summary>
    /// <param name="prefix">Only keys starting with this; null for all.</param>
    /// <param name="pageSize">Keys asked for per request; null for the node's default.</param>
    /// <param name="cancellationToken">Cancels the scan.</param>
    /// <returns>The keys.</returns>
    IAsyncEnumerable<KeySummary> ScanAsync(string? prefix = null, int? pageSize = null, CancellationToken cancellationToken = default);

    /// <summary>The cluster as the answering node sees it: identity, shard count, meta leader, health, warnings.</summary>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The summary.</returns>
    Task<ClusterInfo> GetClusterInfoAsync(CancellationToken cancellationToken = default);

    /// <summary>The cluster's members.</summary>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The nodes.</returns>
    Task<IReadOnlyList<NodeInfo>> GetNodesAsync(CancellationToken cancellationToken = default);

    /// <summary>The shards, their ranges, replicas and load.</summary>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The shards.</returns>
    Task<IReadOnlyList<ShardInfo>> GetShardsAsync(CancellationToken cancellationToken = default);

    /// <summary>The cluster's load and storage, summed and per node.</summary>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The metrics.</returns>
    Task<ClusterMetrics> GetMetricsAsync(CancellationToken cancellationToken = default);

    /// <summary>A node's health report; an unhealthy node's report is returned, not thrown.</summary>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The report.</returns>
    Task<NodeHealth> GetHealthAsync(CancellationToken cancellationToken = default);
}
