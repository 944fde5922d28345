using System.Collections.Frozen;
using System.Security.Cryptography;
using Microsoft.Extensions.Options;
using NodeNomad.Core.Cluster;
using NodeNomad.Node.Shards;

namespace NodeNomad.Node.Security;

/// <summary>
/// Resolves a presented bearer token to its caller: the bootstrap <c>ADMIN_TOKEN</c>, or an API key of the cluster
/// map this node applied. Credentials are enforced once any exists: <c>ADMIN_TOKEN</c> is set, or the map holds a key.
/// </summary>
public sealed class ClientCredentials(ReplicaHost host, IOptions<ClientAccessOptions> options)
{
    private static readonly ClientCaller AdminCaller = new(ClientCaller.AdminTokenId, Contracts.ApiScopes.All);

    private readonly byte[]? _adminHash = options.Value.AdminToken is { } token ? SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(token)) : null;
    private volatile KeyIndex _index = new(null, FrozenDictionary<string, ApiKeyRecord>.Empty);

    /// <summary>Whether requests must carry a credential.</summary>
    public bool IsEnforced => _adminHash is not null || host.Map.ApiKeys.Count > 0;

    /// <summary>
    /// Whether the node can tell which credentials it accepts: it has an <c>ADMIN_TOKEN</c>, or it has recovered its
    /// log and so applied every key it had recorded. Until then it could take a cluster with keys for one without.
    /// </summary>
    public bool IsKnown => _adminHash is not null || host.Recovered;

    /// <summary>The caller <paramref name="token"/> names, or null when it names none.</summary>
    public ClientCaller? Resolve(string token)
    {
        ArgumentNullException.ThrowIfNull(token);
        var hash = ApiTokens.Hash(token);
        if (_adminHash is not null && CryptographicOperations.FixedTimeEquals(Convert.FromHexString(hash), _adminHash))
        {
            return AdminCaller;
        }

        return Index().Keys.TryGetValue(hash, out var key) ? new ClientCaller(key.Id, key.Scopes) : null;
    }

    // The keys by hash, rebuilt when the map's list of keys changes (a new map keeps the same list otherwise).
    private KeyIndex Index()
    {
        var keys = host.Map.ApiKeys;
        var index = _index;
        if (!ReferenceEquals(index.Source, keys))
        {
            index = new KeyIndex(keys, keys.ToFrozenDictionary(k => k.Hash, StringComparer.Ordinal));
            _index = index;
        }

        return index;
    }

    private sealed record KeyIndex(IReadOnlyList<ApiKeyRecord>? Source, FrozenDictionary<string, ApiKeyRecord> Keys);
}
