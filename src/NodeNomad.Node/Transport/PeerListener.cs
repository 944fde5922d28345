using System.Net;
using Microsoft.AspNetCore.Server.Kestrel.Core;

namespace NodeNomad.Node.Transport;

/// <summary>
/// The peer port: a Kestrel listener of its own that speaks HTTP/2 cleartext only (an <c>Http1AndHttp2</c>
/// cleartext listener cannot take h2c with prior knowledge, which is what peers send), and the means to keep
/// peer endpoints on it.
/// </summary>
/// <remarks>
/// Connections accepted on the peer listener are marked, and <see cref="IsPeerConnection"/> reads the mark. That
/// is sturdier than <c>RequireHost("*:port")</c>, which matches the Host header a caller chooses (any client could
/// reach the peer endpoints on the client port by naming the peer port), and it needs no port number, so it also
/// holds when the port is 0 (chosen by the system).
/// </remarks>
public static class PeerListener
{
    /// <summary>Listens on <paramref name="address"/>:<paramref name="port"/> for peers, HTTP/2 only.</summary>
    public static KestrelServerOptions ListenPeerPort(this KestrelServerOptions kestrel, IPAddress address, int port)
    {
        ArgumentNullException.ThrowIfNull(kestrel);
        ArgumentNullException.ThrowIfNull(address);
        kestrel.Listen(address, port, listen => listen.UsePeerProtocol());
        return kestrel;
    }

    /// <summary>
    /// Makes a listener a peer listener: HTTP/2 only, its connections marked for <see cref="IsPeerConnection"/>.
    /// For hosts that open the listener themselves (<c>ListenAnyIP</c>, <c>ListenLocalhost</c>).
    /// </summary>
    public static ListenOptions UsePeerProtocol(this ListenOptions listen)
    {
        ArgumentNullException.ThrowIfNull(listen);
        listen.Protocols = HttpProtocols.Http2;
        listen.Use(next => connection =>
        {
            connection.Features.Set(PeerConnectionFeature.Instance);
            return next(connection);
        });
        return listen;
    }

    /// <summary>Whether the request arrived on the peer listener.</summary>
    public static bool IsPeerConnection(this HttpContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        return context.Features.Get<PeerConnectionFeature>() is not null;
    }

    /// <summary>
    /// Answers 404 to requests for these endpoints that did not arrive on the peer listener, whatever their Host
    /// header says. Applies to route handlers (<c>MapGet</c>, <c>MapPost</c>, groups of them).
    /// </summary>
    public static TBuilder RequirePeerListener<TBuilder>(this TBuilder builder)
        where TBuilder : IEndpointConventionBuilder
    {
        ArgumentNullException.ThrowIfNull(builder);
        return builder.AddEndpointFilter(static async (context, next) => context.HttpContext.IsPeerConnection()
            ? await next(context)
            : TypedResults.Problem("This endpoint is served on the peer port only.", statusCode: StatusCodes.Status404NotFound, title: "Not found"));
    }
}
