using NodeNomad.Contracts;
using NodeNomad.Core.Cluster;
using NodeNomad.Node.Api;
using NodeNomad.Node.Http;
using NodeNomad.Node.Peers;
using NodeNomad.Node.Shards;

namespace NodeNomad.Node.Security;

/// <summary>
/// Client API keys, all under the <c>admin</c> scope: <c>POST /api/v1/admin/keys</c> creates one and answers its token
/// this once, <c>GET</c> lists them (never a token or a hash), <c>DELETE /api/v1/admin/keys/{id}</c> revokes one. Keys
/// live in the meta group, so a change is made by the meta leader (another node forwards it) and reaches every node.
/// </summary>
public static class ApiKeysApi
{
    /// <summary>The longest key name.</summary>
    public const int MaxNameLength = 100;

    /// <summary>Maps the endpoints.</summary>
    public static IEndpointRouteBuilder MapApiKeysApi(this IEndpointRouteBuilder routes)
    {
        var keys = routes.MapGroup("/api/v1/admin/keys").WithTags("API keys").RequireScope(ApiScopes.Admin);
        keys.MapPost("", CreateAsync).Accepts<CreateApiKeyRequest>("application/json").Produces<CreatedApiKey>(StatusCodes.Status201Created).ProducesProblem(400).ProducesProblem(503);
        keys.MapGet("", List).Produces<IReadOnlyList<ApiKeyInfo>>();
        keys.MapDelete("/{id}", RevokeAsync).Produces(StatusCodes.Status204NoContent).ProducesProblem(404).ProducesProblem(503);
        return routes;
    }

    private static async Task<IResult> CreateAsync(HttpContext context, ReplicaHost host, LeaderForwarder forwarder, CancellationToken cancellationToken)
    {
        context.Request.EnableBuffering();
        var (request, problem) = await JsonBody.ReadAsync<CreateApiKeyRequest>(context.Request, cancellationToken);
        if (problem is not null)
        {
            return problem;
        }

        if (string.IsNullOrWhiteSpace(request!.Name) || request.Name.Length > MaxNameLength)
        {
            return Problems.InvalidField("name", $"name must be 1 to {MaxNameLength} characters saying what the key is for.");
        }

        if (request.Scopes is not { Count: > 0 } scopes || scopes.Any(s => !ApiScopes.All.Contains(s, StringComparer.Ordinal)))
        {
            return Problems.InvalidField("scopes", $"scopes must list some of {string.Join(", ", ApiScopes.All)} (got {(request.Scopes is null ? "none" : string.Join(", ", request.Scopes))}).");
        }

        if (!host.Meta.IsLeader)
        {
            return await MigrationApi.ToMetaLeaderAsync(context, host, forwarder, cancellationToken);
        }

        // The token is made where the key is recorded and leaves the node only in this answer; the log holds its hash.
        var token = ApiTokens.Create();
        var key = new ApiKeyRecord(ApiTokens.CreateId(), request.Name.Trim(), [.. ApiScopes.All.Where(scopes.Contains)], ApiTokens.Hash(token), host.CommandClock.Now);
        var outcome = await host.ProposeMetaAsync(new CreateApiKey(key), cancellationToken);
        if (!outcome.IsDone)
        {
            return Problems.Unavailable(context, outcome.Reason ?? "The key was not recorded.");
        }

        if (outcome.Value is string refused)
        {
            return Problems.Conflict($"The meta group refused the key: {refused}");
        }

        var info = Info(key);
        return TypedResults.Created($"/api/v1/admin/keys/{key.Id}", new CreatedApiKey(info.Id, info.Name, info.Scopes, info.Created, token));
    }

    private static Microsoft.AspNetCore.Http.HttpResults.Ok<IReadOnlyList<ApiKeyInfo>> List(ReplicaHost host) =>
        TypedResults.Ok<IReadOnlyList<ApiKeyInfo>>([.. host.Map.ApiKeys.Select(Info)]);

    private static async Task<IResult> RevokeAsync(string id, HttpContext context, ReplicaHost host, LeaderForwarder forwarder, CancellationToken cancellationToken)
    {
        if (host.Map.ApiKeys.All(k => k.Id != id))
        {
            return TypedResults.Problem($"There is no API key {id}.", statusCode: StatusCodes.Status404NotFound, title: "No such API key");
        }

        if (!host.Meta.IsLeader)
        {
            return await MigrationApi.ToMetaLeaderAsync(context, host, forwarder, cancellationToken);
        }

        var outcome = await host.ProposeMetaAsync(new RevokeApiKey(id, host.CommandClock.Now, MigrationApi.RequestedBy(context)), cancellationToken);
        if (!outcome.IsDone)
        {
            return Problems.Unavailable(context, outcome.Reason ?? "The revocation was not recorded.");
        }

        return outcome.Value is string refused
            ? TypedResults.Problem($"The meta group refused: {refused}", statusCode: StatusCodes.Status404NotFound, title: "No such API key")
            : TypedResults.NoContent();
    }

    private static ApiKeyInfo Info(ApiKeyRecord key) => new(key.Id, key.Name, key.Scopes, DateTimeOffset.FromUnixTimeMilliseconds(key.CreatedAt));
}
