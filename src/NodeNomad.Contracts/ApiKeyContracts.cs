namespace NodeNomad.Contracts;

/// <summary>The scopes an API key grants; each names what a caller holding it may do.</summary>
public static class ApiScopes
{
    /// <summary>Reads: keys, values and the cluster's state.</summary>
    public const string Read = "read";

    /// <summary>Key-value mutations: set, compare-and-set, delete.</summary>
    public const string Write = "write";

    /// <summary>Operating the cluster: migrations, leadership moves, node membership, the rebalancer's settings, API keys.</summary>
    public const string Admin = "admin";

    /// <summary>Every scope, in the order they are listed.</summary>
    public static IReadOnlyList<string> All { get; } = [Read, Write, Admin];
}

/// <summary><c>POST /api/v1/admin/keys</c>: the key to create.</summary>
/// <param name="Name">What the key is for, in words: 1 to 100 characters.</param>
/// <param name="Scopes">Some of <c>read</c>, <c>write</c> and <c>admin</c>; at least one.</param>
public sealed record CreateApiKeyRequest(string? Name, IReadOnlyList<string>? Scopes);

/// <summary>An API key as the cluster lists it: never its token, nor the token's hash.</summary>
/// <param name="Id">The key's id, which revokes it.</param>
/// <param name="Name">What it is for.</param>
/// <param name="Scopes">What it grants.</param>
/// <param name="Created">When it was created.</param>
public sealed record ApiKeyInfo(string Id, string Name, IReadOnlyList<string> Scopes, DateTimeOffset Created);

/// <summary>The answer to creating a key: the key, and its token, shown this once.</summary>
/// <param name="Id">The key's id.</param>
/// <param name="Name">What it is for.</param>
/// <param name="Scopes">What it grants.</param>
/// <param name="Created">When it was created.</param>
/// <param name="Token">The bearer token (<c>Authorization: Bearer nn_...</c>); the cluster keeps only its hash.</param>
public sealed record CreatedApiKey(string Id, string Name, IReadOnlyList<string> Scopes, DateTimeOffset Created, string Token);
