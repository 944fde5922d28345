using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Options;
using NodeNomad.Node.Http;
using NodeNomad.Node.Configuration;
using NodeNomad.Node.Transport;

namespace NodeNomad.Node.Peers;

/// <summary>
/// Keeps the two ports apart: the peer port serves only peers (Raft traffic, peer status, forwarded API
/// requests), each request carrying the cluster secret; the client port does not serve peer routes.
/// </summary>
public sealed partial class PeerPortGate(RequestDelegate next, IOptions<NodeOptions> options, ILogger<PeerPortGate> logger)
{
    /// <summary>The <see cref="HttpContext.Items"/> key set on requests that arrived on the peer port.</summary>
    public const string PeerRequestKey = "nodenomad.peer";

    // Digests are compared, not the header's bytes: a comparison of arrays of different lengths ends at once, which
    // would tell a prober the secret's length.
    private readonly byte[] _expected = SHA256.HashData(Encoding.UTF8.GetBytes($"Bearer {options.Value.ClusterSecret}"));
    private readonly bool _secretSet = options.Value.ClusterSecret is not null;

    /// <summary>Filters the request.</summary>
    public async Task InvokeAsync(HttpContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var path = context.Request.Path;
        var peerRoute = path.StartsWithSegments("/raft", StringComparison.OrdinalIgnoreCase) || path.StartsWithSegments("/peer", StringComparison.OrdinalIgnoreCase);
        if (!context.IsPeerConnection())
        {
            if (peerRoute)
            {
                await TypedResults.Problem($"{path} is served on the peer port only.", statusCode: StatusCodes.Status404NotFound).ExecuteAsync(context);
                return;
            }

            await next(context);
            return;
        }

        if (_secretSet && (context.Request.Headers.Authorization.Count != 1
            || !CryptographicOperations.FixedTimeEquals(SHA256.HashData(Encoding.UTF8.GetBytes(context.Request.Headers.Authorization.ToString())), _expected)))
        {
            LogRefused(logger, context.Connection.RemoteIpAddress?.ToString() ?? "?", path.Value ?? string.Empty);
            await TypedResults.Problem("Peer requests must carry the cluster secret.", statusCode: StatusCodes.Status401Unauthorized).ExecuteAsync(context);
            return;
        }

        if (!peerRoute && !path.StartsWithSegments("/api/v1", StringComparison.OrdinalIgnoreCase))
        {
            await Problems.Invalid($"{path} is not served on the peer port.").ExecuteAsync(context);
            return;
        }

        context.Items[PeerRequestKey] = true;
        await next(context);
    }

    [LoggerMessage(EventId = 301, Level = LogLevel.Warning, Message = "Refused a peer request from {Remote} to {Path}: wrong or missing cluster secret")]
    private static partial void LogRefused(ILogger logger, string remote, string path);
}
