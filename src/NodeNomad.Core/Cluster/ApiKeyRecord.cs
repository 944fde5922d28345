namespace NodeNomad.Core.Cluster;

/// <summary>
/// A client API key as the meta group records it. The token itself is never recorded: only its SHA-256, which a
/// node compares with the hash of the token a request presents. Tokens are 256 random bits, so the hash needs no salt.
/// </summary>
/// <param name="Id">The key's id, shown in listings and used to revoke it.</param>
/// <param name="Name">What the key is for, in words.</param>
/// <param name="Scopes">The scopes it grants (<see cref="Contracts.ApiScopes"/>).</param>
/// <param name="Hash">The token's SHA-256, lowercase hex.</param>
/// <param name="CreatedAt">When it was created (Unix milliseconds).</param>
public sealed record ApiKeyRecord(string Id, string Name, IReadOnlyList<string> Scopes, string Hash, long CreatedAt)
{
    /// <summary>The most keys a cluster holds: the map travels whole in every meta snapshot.</summary>
    public const int MaxKeys = 1000;

    /// <summary>Whether the key grants <paramref name="scope"/>.</summary>
    public bool Grants(string scope) => Scopes.Contains(scope, StringComparer.Ordinal);
}
