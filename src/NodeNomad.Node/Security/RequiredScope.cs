namespace NodeNomad.Node.Security;

/// <summary>
/// Endpoint metadata: the scope a client needs to call the endpoint, or none (<see cref="Open"/>) for the endpoints
/// anyone may call (health). An endpoint of the client API without this metadata needs <c>admin</c>, so a route
/// added without thought is closed rather than open.
/// </summary>
/// <param name="Scope">The scope, or null when the endpoint is open.</param>
public sealed record RequiredScope(string? Scope)
{
    /// <summary>Anyone may call the endpoint.</summary>
    public static RequiredScope Open { get; } = new((string?)null);

    /// <summary>What an endpoint without metadata needs.</summary>
    public static RequiredScope Default { get; } = new(Contracts.ApiScopes.Admin);
}

/// <summary>Marks endpoints with the scope they need.</summary>
public static class RequiredScopeExtensions
{
    /// <summary>Callers need <paramref name="scope"/>.</summary>
    public static TBuilder RequireScope<TBuilder>(this TBuilder builder, string scope)
        where TBuilder : IEndpointConventionBuilder
    {
        ArgumentNullException.ThrowIfNull(builder);
        return builder.WithMetadata(new RequiredScope(scope));
    }

    /// <summary>Anyone may call, with or without a credential.</summary>
    public static TBuilder OpenToAnyone<TBuilder>(this TBuilder builder)
        where TBuilder : IEndpointConventionBuilder
    {
        ArgumentNullException.ThrowIfNull(builder);
        return builder.WithMetadata(RequiredScope.Open);
    }
}
