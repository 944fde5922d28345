using System.Collections.Concurrent;
using System.Net;
using NodeNomad.Client;
using NodeNomad.Contracts;
using Refit;

namespace NodeNomad.Console.Tests;

/// <summary>An in-memory node behind the Refit interface: keys in a sorted map, every call recorded.</summary>
public sealed class FakeNodeNomadApi : INodeNomadApi
{
    private static readonly RefitSettings Settings = new();
    private readonly SortedDictionary<string, KeyValue> _keys = new(StringComparer.Ordinal);
    private long _version;

    public ConcurrentQueue<string> Calls { get; } = new();

    public IReadOnlyDictionary<string, KeyValue> Keys => _keys;

    public FakeNodeNomadApi With(string key, string value, DateTimeOffset? expiresAt = null)
    {
        _keys[key] = new KeyValue(key, value, ++_version, expiresAt);
        return this;
    }

    public FakeNodeNomadApi WithBytes(string key, byte[] value)
    {
        _keys[key] = new KeyValue(key, Convert.ToBase64String(value), ++_version, null, ValueEncodings.Base64);
        return this;
    }

    public Task<IApiResponse<WriteResult>> SetAsync(SetRequest request, CancellationToken cancellationToken = default)
    {
        Calls.Enqueue($"set {request.Key}={request.Value} ttl={request.Ttl?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "none"}");
        var expires = request.Ttl is { } ttl ? DateTimeOffset.UtcNow.AddSeconds(ttl) : (DateTimeOffset?)null;
        _keys[request.Key] = new KeyValue(request.Key, request.Value, ++_version, expires);
        return Ok(new WriteResult(request.Key, _version, expires));
    }

    public Task<IApiResponse<WriteResult>> CompareAndSetAsync(CasRequest request, CancellationToken cancellationToken = default) =>
        throw new NotSupportedException();

    public Task<IApiResponse<KeyValue>> GetAsync(string key, CancellationToken cancellationToken = default)
    {
        Calls.Enqueue($"get {key}");
        return _keys.TryGetValue(key, out var value) ? Ok(value) : NotFound<KeyValue>();
    }

    public Task<IApiResponse<DeleteResult>> DeleteAsync(string key, CancellationToken cancellationToken = default)
    {
        Calls.Enqueue($"delete {key}");
        return _keys.Remove(key) ? Ok(new DeleteResult(key, ++_version)) : NotFound<DeleteResult>();
    }

    public Task<IApiResponse<ExistsResult>> ExistsAsync(string key, CancellationToken cancellationToken = default) =>
        Ok(new ExistsResult(key, _keys.ContainsKey(key), _keys.TryGetValue(key, out var v) ? v.Version : null));

    public Task<IApiResponse<TtlResult>> GetTtlAsync(string key, CancellationToken cancellationToken = default)
    {
        Calls.Enqueue($"ttl {key}");
        if (!_keys.TryGetValue(key, out var value))
        {
            return NotFound<TtlResult>();
        }

        long? seconds = value.ExpiresAt is { } at ? (long)Math.Ceiling((at - DateTimeOffset.UtcNow).TotalSeconds) : null;
        return Ok(new TtlResult(key, seconds, value.ExpiresAt));
    }

    public Task<IApiResponse<KeyPage>> ListKeysAsync(string? prefix = null, string? after = null, int? limit = null, CancellationToken cancellationToken = default)
    {
        Calls.Enqueue($"keys prefix={prefix ?? ""} after={after ?? ""} limit={limit}");
        var matching = _keys.Values.Where(k => (prefix is null || k.Key.StartsWith(prefix, StringComparison.Ordinal))
            && (after is null || string.CompareOrdinal(k.Key, after) > 0)).ToList();
        var page = matching.Take(limit ?? 100).Select(k => new KeySummary(k.Key, k.Version, k.ExpiresAt, k.GetBytes().Length, k.Encoding)).ToList();
        var next = matching.Count > page.Count ? page[^1].Key : null;
        return Ok(new KeyPage(page, next));
    }

    public Task<IApiResponse<ClusterInfo>> GetClusterInfoAsync(CancellationToken cancellationToken = default) => throw new NotSupportedException();

    /// <summary>The membership the fake lists; a drain, undrain or removal it takes changes the node's entry.</summary>
    public List<NodeInfo> Nodes { get; } = [Fleets.Member("node-1")];

    /// <summary>When set, <see cref="GetNodesAsync"/> fails as a node that cannot be reached does.</summary>
    public bool NodesUnreachable { get; set; }

    public Task<IApiResponse<IReadOnlyList<NodeInfo>>> GetNodesAsync(CancellationToken cancellationToken = default) =>
        NodesUnreachable ? throw new HttpRequestException("Connection refused (node.test:80)") : Ok<IReadOnlyList<NodeInfo>>([.. Nodes]);

    public Task<IApiResponse<IReadOnlyList<ShardInfo>>> GetShardsAsync(CancellationToken cancellationToken = default) =>
        Ok<IReadOnlyList<ShardInfo>>([Fleets.Shard(0, "node-1")]);

    public Task<IApiResponse<ClusterMetrics>> GetMetricsAsync(CancellationToken cancellationToken = default) => throw new NotSupportedException();

    public Task<IApiResponse<NodeHealth>> GetHealthAsync(CancellationToken cancellationToken = default) => throw new NotSupportedException();

    /// <summary>Migrations the fake holds, newest first (what <see cref="MigrateAsync"/> added, in state adding-learner).</summary>
    public List<MigrationInfo> Migrations { get; } = [];

    /// <summary>When set, <see cref="MigrateAsync"/> refuses with this status and problem detail, as a node does.</summary>
    public (HttpStatusCode Status, string Detail)? MigrateRefusal { get; set; }

    /// <summary>When set, <see cref="CancelMigrationAsync"/> refuses with this status and problem detail.</summary>
    public (HttpStatusCode Status, string Detail)? CancelRefusal { get; set; }

    public Task<IApiResponse<MigrationInfo>> MigrateAsync(MigrateRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        Calls.Enqueue($"migrate {request.ShardId.GetRawText()} to {request.TargetNodeId} from {request.SourceNodeId}");
        if (MigrateRefusal is { } refusal)
        {
            return Problem<MigrationInfo>(refusal.Status, refusal.Detail);
        }

        var shard = ShardNames.TryParse(request.ShardId, out var parsed) ? parsed : throw new ArgumentException("The fake takes shard-N or N.", nameof(request));
        var now = DateTimeOffset.UtcNow;
        var migration = new MigrationInfo($"m-{Migrations.Count + 1}", shard, ShardNames.Of(shard), request.SourceNodeId ?? "node-1", request.TargetNodeId ?? "",
            MigrationStates.AddingLearner, "manual", "console", false, null, now, now, [new MigrationStepInfo(MigrationStates.AddingLearner, now, null)], null);
        Migrations.Insert(0, migration);
        return Ok(migration);
    }

    public Task<IApiResponse<IReadOnlyList<MigrationInfo>>> GetMigrationsAsync(CancellationToken cancellationToken = default) =>
        Ok<IReadOnlyList<MigrationInfo>>([.. Migrations]);

    public Task<IApiResponse<MigrationInfo>> GetMigrationAsync(string id, CancellationToken cancellationToken = default) =>
        Migrations.FirstOrDefault(m => m.Id == id) is { } migration ? Ok(migration) : NotFound<MigrationInfo>();

    /// <summary>When set, drain, undrain and remove refuse with this status and problem detail, as a node does.</summary>
    public (HttpStatusCode Status, string Detail)? MembershipRefusal { get; set; }

    /// <summary>When set, drain, undrain and remove fail as a node that cannot be reached does.</summary>
    public bool MembershipUnreachable { get; set; }

    public Task<IApiResponse<NodeMembershipInfo>> DrainNodeAsync(string id, CancellationToken cancellationToken = default) =>
        Membership("drain", id, "draining", $"{id} hands its leaderships and then its replicas to other nodes.");

    public Task<IApiResponse<NodeMembershipInfo>> UndrainNodeAsync(string id, CancellationToken cancellationToken = default) =>
        Membership("undrain", id, "active", $"{id} takes part in placement again and receives its share of replicas.");

    public Task<IApiResponse<NodeMembershipInfo>> RemoveNodeAsync(string id, CancellationToken cancellationToken = default) =>
        Membership("remove", id, "removed", $"{id} is out of the cluster map.");

    private Task<IApiResponse<NodeMembershipInfo>> Membership(string verb, string id, string membership, string detail)
    {
        Calls.Enqueue($"{verb} {id}");
        if (MembershipUnreachable)
        {
            throw new HttpRequestException("Connection refused (node.test:80)");
        }

        if (MembershipRefusal is { } refusal)
        {
            return Problem<NodeMembershipInfo>(refusal.Status, refusal.Detail);
        }

        var index = Nodes.FindIndex(n => n.Id == id);
        if (index >= 0)
        {
            Nodes[index] = Nodes[index] with { Membership = membership, Drain = null };
        }

        return Ok(new NodeMembershipInfo(id, membership, detail));
    }

    public Task<IApiResponse<MigrationInfo>> CancelMigrationAsync(string id, CancellationToken cancellationToken = default)
    {
        Calls.Enqueue($"cancel {id}");
        if (CancelRefusal is { } refusal)
        {
            return Problem<MigrationInfo>(refusal.Status, refusal.Detail);
        }

        var index = Migrations.FindIndex(m => m.Id == id);
        if (index < 0)
        {
            return NotFound<MigrationInfo>();
        }

        Migrations[index] = Migrations[index] with { CancelRequested = true };
        return Ok(Migrations[index]);
    }

    public Task<IApiResponse<LeadershipInfo>> TransferLeadershipAsync(LeadershipRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        Calls.Enqueue($"leadership {request.ShardId.GetRawText()} to {request.NodeId}");
        var shard = ShardNames.TryParse(request.ShardId, out var parsed) ? parsed : throw new ArgumentException("The fake takes shard-N or N.", nameof(request));
        return Ok(new LeadershipInfo(shard, ShardNames.Of(shard), request.NodeId ?? "", 1));
    }

    public Task<IApiResponse<ReplicaDigest>> GetReplicaDigestAsync(string shard, CancellationToken cancellationToken = default) => throw new NotSupportedException();

    /// <summary>The rebalancer as the fake answers it; <see cref="SetRebalancerAsync"/> changes its settings.</summary>
    public RebalancerInfo Rebalancer { get; set; } = new(
        new RebalancerSettingsInfo(true, 10, "requests", 1.25, 1.10, 120, 1, null, new Dictionary<string, int>()), true, "node-1", []);

    /// <summary>The rebalancer's decisions, newest first.</summary>
    public List<RebalancerDecisionInfo> Decisions { get; } = [];

    /// <summary>When set, <see cref="SetRebalancerAsync"/> refuses with this status and problem detail.</summary>
    public (HttpStatusCode Status, string Detail)? RebalancerRefusal { get; set; }

    public Task<IApiResponse<RebalancerInfo>> GetRebalancerAsync(CancellationToken cancellationToken = default) => Ok(Rebalancer);

    public Task<IApiResponse<RebalancerInfo>> SetRebalancerAsync(RebalancerSettingsRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        Calls.Enqueue(string.Create(System.Globalization.CultureInfo.InvariantCulture,
            $"rebalancer enabled={request.Enabled} threshold={request.Threshold} hysteresis={request.Hysteresis} dimension={request.Dimension}"));
        if (RebalancerRefusal is { } refusal)
        {
            return Problem<RebalancerInfo>(refusal.Status, refusal.Detail);
        }

        var s = Rebalancer.Settings;
        Rebalancer = Rebalancer with
        {
            IsDefault = false,
            Settings = new RebalancerSettingsInfo(request.Enabled ?? s.Enabled, request.IntervalSeconds ?? s.IntervalSeconds, request.Dimension ?? s.Dimension,
                request.Threshold ?? s.Threshold, request.Hysteresis ?? s.Hysteresis, request.CooldownSeconds ?? s.CooldownSeconds,
                request.MaxConcurrentMoves ?? s.MaxConcurrentMoves, request.ClearSnapshotBandwidth == true ? null : request.SnapshotBandwidthMiB ?? s.SnapshotBandwidthMiB,
                request.Weights ?? s.Weights),
        };
        return Ok(Rebalancer);
    }

    public Task<IApiResponse<IReadOnlyList<RebalancerDecisionInfo>>> GetRebalancerDecisionsAsync(int? limit = null, CancellationToken cancellationToken = default) =>
        Ok<IReadOnlyList<RebalancerDecisionInfo>>([.. Decisions.Take(limit ?? int.MaxValue)]);

    /// <summary>The API keys the fake holds, oldest first.</summary>
    public List<ApiKeyInfo> ApiKeys { get; } = [];

    public Task<IApiResponse<CreatedApiKey>> CreateApiKeyAsync(CreateApiKeyRequest request, CancellationToken cancellationToken = default)
    {
        Calls.Enqueue($"create-key {request.Name} scopes={string.Join(",", request.Scopes ?? [])}");
        if (string.IsNullOrWhiteSpace(request.Name) || request.Scopes is not { Count: > 0 })
        {
            return Problem<CreatedApiKey>(HttpStatusCode.BadRequest, "name and scopes are required.");
        }

        var key = new ApiKeyInfo($"key-{ApiKeys.Count + 1}", request.Name, request.Scopes, DateTimeOffset.UtcNow);
        ApiKeys.Add(key);
        return Task.FromResult<IApiResponse<CreatedApiKey>>(new ApiResponse<CreatedApiKey>(
            Response(HttpStatusCode.Created), new CreatedApiKey(key.Id, key.Name, key.Scopes, key.Created, $"nn_token-of-{key.Id}"), Settings));
    }

    public Task<IApiResponse<IReadOnlyList<ApiKeyInfo>>> GetApiKeysAsync(CancellationToken cancellationToken = default) =>
        Ok<IReadOnlyList<ApiKeyInfo>>([.. ApiKeys]);

    public async Task<IApiResponse> RevokeApiKeyAsync(string id, CancellationToken cancellationToken = default)
    {
        Calls.Enqueue($"revoke-key {id}");
        return ApiKeys.RemoveAll(k => k.Id == id) > 0
            ? new ApiResponse<object>(Response(HttpStatusCode.NoContent), null, Settings)
            : await Problem<object>(HttpStatusCode.NotFound, $"There is no API key {id}.");
    }

    private static Task<IApiResponse<T>> Ok<T>(T content) =>
        Task.FromResult<IApiResponse<T>>(new ApiResponse<T>(Response(HttpStatusCode.OK), content, Settings));

    private static Task<IApiResponse<T>> NotFound<T>() =>
        Task.FromResult<IApiResponse<T>>(new ApiResponse<T>(Response(HttpStatusCode.NotFound), default, Settings));

    private static async Task<IApiResponse<T>> Problem<T>(HttpStatusCode status, string detail)
    {
        var response = Response(status);
        response.Content = new StringContent(
            System.Text.Json.JsonSerializer.Serialize(new { title = status.ToString(), status = (int)status, detail }),
            System.Text.Encoding.UTF8, "application/problem+json");
        var error = await ApiException.Create(response.RequestMessage!, HttpMethod.Post, response, Settings);
        return new ApiResponse<T>(response, default, Settings, error);
    }

    private static HttpResponseMessage Response(HttpStatusCode status) =>
        new(status) { RequestMessage = new HttpRequestMessage(HttpMethod.Get, new Uri("http://node.test/")) };
}
