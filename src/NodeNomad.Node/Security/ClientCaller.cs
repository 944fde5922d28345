namespace NodeNomad.Node.Security;

/// <summary>Who made a client request, as the node authenticated it.</summary>
/// <param name="KeyId">The API key's id, <see cref="AdminTokenId"/> for the bootstrap token, or null for an anonymous caller.</param>
/// <param name="Scopes">What the caller may do.</param>
public sealed record ClientCaller(string? KeyId, IReadOnlyList<string> Scopes)
{
    /// <summary>The id the bootstrap admin token is known by.</summary>
    public const string AdminTokenId = "admin-token";

    /// <summary>A caller when no credential is enforced: every scope, no key.</summary>
    public static ClientCaller Anonymous { get; } = new(null, Contracts.ApiScopes.All);

    /// <summary>Whether the caller holds <paramref name="scope"/>.</summary>
    public bool Holds(string scope) => Scopes.Contains(scope, StringComparer.Ordinal);
}
