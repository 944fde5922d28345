using System.Globalization;
using Microsoft.Extensions.Options;
using NodeNomad.Node.Configuration;
using NodeNomad.Node.Peers;

namespace NodeNomad.Node.Security;

/// <summary>
/// Guards the client API, in this order: the caller's credential (401) and scope (403), the body's declared size
/// (413), then the caller's rate (429), each answered with a ProblemDetails saying why. A request a peer forwarded
/// over the peer port was let in by the node the client called, and the cluster secret vouches for that node, so it
/// is not checked again: each client request is authorized once, where it entered the cluster.
/// </summary>
public sealed partial class ClientGate(
    RequestDelegate next,
    ClientCredentials credentials,
    CallerRateLimiter limiter,
    IOptions<ClientAccessOptions> access,
    IOptions<NodeOptions> node,
    ILogger<ClientGate> logger)
{
    private const string BearerPrefix = "Bearer ";

    // A refused body up to this many times the limit is read and dropped before the answer (see DrainAsync).
    private const int DrainLimitFactor = 4;

    private static readonly TimeSpan DrainTime = TimeSpan.FromSeconds(5);

    private readonly long _maxBody = access.Value.MaxRequestBodyBytes;

    // Without a cluster secret the peer port vouches for nothing, so what arrives on it is checked like any request.
    private readonly bool _peersVouch = node.Value.ClusterSecret is not null;

    /// <summary>Filters the request.</summary>
    public async Task InvokeAsync(HttpContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        if (LeaderForwarder.IsForwarded(context) && (_peersVouch || !context.Request.Path.StartsWithSegments("/api", StringComparison.OrdinalIgnoreCase)))
        {
            await next(context);
            return;
        }

        // No route matched (404), or one matched by path but not by method (routing's 405 endpoint is no route
        // endpoint): nothing is served, and the answer says so to anyone.
        var required = context.GetEndpoint() is RouteEndpoint endpoint ? endpoint.Metadata.GetMetadata<RequiredScope>() ?? RequiredScope.Default : RequiredScope.Open;
        if (required.Scope is null)
        {
            await next(context);
            return;
        }

        if (!credentials.IsKnown)
        {
            await Http.Problems.Unavailable(context, "The node is recovering its log and cannot tell yet which credentials it accepts.").ExecuteAsync(context);
            return;
        }

        var caller = ClientCaller.Anonymous;
        if (credentials.IsEnforced)
        {
            var header = context.Request.Headers.Authorization.ToString();
            if (header.Length == 0)
            {
                await UnauthorizedAsync(context, "The request carries no credential: send Authorization: Bearer with an API key.", null);
                return;
            }

            if (!header.StartsWith(BearerPrefix, StringComparison.OrdinalIgnoreCase) || credentials.Resolve(header[BearerPrefix.Length..].Trim()) is not { } known)
            {
                LogRefused(logger, context.Connection.RemoteIpAddress, context.Request.Method, context.Request.Path);
                await UnauthorizedAsync(context, "The credential is not a valid API key of this cluster (unknown, revoked, or not a bearer token).", "invalid_token");
                return;
            }

            if (!known.Holds(required.Scope))
            {
                await TypedResults.Problem($"{context.Request.Method} {context.Request.Path} needs the '{required.Scope}' scope; key {known.KeyId} holds {string.Join(", ", known.Scopes)}.",
                    statusCode: StatusCodes.Status403Forbidden, title: "Insufficient scope",
                    extensions: new Dictionary<string, object?> { ["requiredScope"] = required.Scope }).ExecuteAsync(context);
                return;
            }

            caller = known;
        }

        // Checked once the caller is known, so a stranger cannot make the node read a large body only to refuse it.
        if (context.Request.ContentLength is { } length && length > _maxBody)
        {
            await DrainAsync(context, length);
            context.Response.Headers.Connection = "close";
            await TypedResults.Problem($"The request body is {length} bytes; this node accepts at most {_maxBody} ({ClientAccessOptions.Keys.MaxRequestBodyBytes}).",
                statusCode: StatusCodes.Status413PayloadTooLarge, title: "Request body too large").ExecuteAsync(context);
            return;
        }

        var (allowed, retryAfter) = limiter.TryTake(caller.KeyId is { } id ? "key:" + id : "address:" + context.Connection.RemoteIpAddress);
        if (!allowed)
        {
            context.Response.Headers.RetryAfter = retryAfter.ToString(CultureInfo.InvariantCulture);
            await TypedResults.Problem($"Too many requests from {(caller.KeyId is { } key ? $"key {key}" : "this address")}: the limit is {access.Value.RateLimitPerSecond.ToString(CultureInfo.InvariantCulture)} a second "
                + $"with bursts of {access.Value.EffectiveBurst}. Retry after {retryAfter} s.", statusCode: StatusCodes.Status429TooManyRequests, title: "Too many requests").ExecuteAsync(context);
            return;
        }

        await next(context);
    }

    /// <summary>
    /// Reads and drops a refused body of up to <see cref="DrainLimitFactor"/> times the limit (for a few seconds at
    /// most) before the answer: a server that answers and closes while the client still sends resets the connection,
    /// and the client then never reads the 413. A larger body is not read; its sender may see the reset instead.
    /// </summary>
    private async Task DrainAsync(HttpContext context, long length)
    {
        if (length > _maxBody * DrainLimitFactor || context.Features.Get<Microsoft.AspNetCore.Http.Features.IHttpMaxRequestBodySizeFeature>() is not { IsReadOnly: false } size)
        {
            return;
        }

        size.MaxRequestBodySize = length;
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted);
        timeout.CancelAfter(DrainTime);
        var buffer = new byte[16 * 1024];
        try
        {
            while (await context.Request.Body.ReadAsync(buffer, timeout.Token) > 0)
            {
            }
        }
        catch (Exception e) when (e is OperationCanceledException or IOException or Microsoft.AspNetCore.Http.BadHttpRequestException)
        {
            // The sender stopped or was too slow: answer with what there is.
        }
    }

    private static Task UnauthorizedAsync(HttpContext context, string detail, string? error)
    {
        context.Response.Headers.WWWAuthenticate = error is null ? "Bearer realm=\"nodenomad\"" : $"Bearer realm=\"nodenomad\", error=\"{error}\"";
        return TypedResults.Problem(detail, statusCode: StatusCodes.Status401Unauthorized, title: "Unauthorized").ExecuteAsync(context);
    }

    // The credential itself is never logged: only where the request came from and what it asked for.
    [LoggerMessage(EventId = 310, Level = LogLevel.Warning, Message = "Refused a client request from {Remote}: {Method} {Path} with an unknown credential")]
    private static partial void LogRefused(ILogger logger, System.Net.IPAddress? remote, string method, PathString path);
}
