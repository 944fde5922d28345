using Microsoft.AspNetCore.Http.Features;
using NodeNomad.Node.Http;
using NodeNomad.Node.Configuration;

namespace NodeNomad.Node.Peers;

/// <summary>
/// Sends a client request that only the leader may serve (a write) to the leader's peer port, and relays the
/// leader's answer. A forwarded request goes on at most once more (<see cref="MaxHops"/>): past that, a node that
/// does not lead answers 503 marked not taken, so a stale view of who leads cannot make requests circle, and the
/// node the client called sends it again.
/// </summary>
public sealed partial class LeaderForwarder(PeerHttp peers, ForwardLanes lanes, ClusterTopology topology, ILogger<LeaderForwarder> logger)
{
    /// <summary>Whether the request came from another node rather than a client.</summary>
    public static bool IsForwarded(HttpContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        return context.Items.ContainsKey(PeerPortGate.PeerRequestKey);
    }

    /// <summary>
    /// The most nodes a request passes through. A request forwarded to a replica that no longer leads (leadership
    /// just moved) goes on once more to the leader that replica's own group names, rather than failing; the bound
    /// keeps stale views from making it circle.
    /// </summary>
    public const int MaxHops = 3;

    /// <summary>How many times this request has been forwarded already (0 for a client's).</summary>
    public static int HopsOf(HttpContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        if (!IsForwarded(context))
        {
            return 0;
        }

        return int.TryParse(context.Request.Headers[PeerHttp.HopsHeader].ToString(), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var hops)
            ? hops
            : 1;
    }

    /// <summary>Whether the request may be forwarded once more.</summary>
    public static bool MayForward(HttpContext context) => HopsOf(context) < MaxHops - 1;

    // A raw read's answer carries the value's version, expiry and kind in headers rather than in its body; a refusal
    // of a request never taken says so, for the node the client called to send it again.
    internal static readonly string[] RelayedHeaders = [Contracts.RawValue.VersionHeader, Contracts.RawValue.ExpiresAtHeader, Contracts.RawValue.KindHeader, Contracts.RoutingHeaders.NotTaken];

    /// <summary>What a forward came to: the answer to give, and whether the request never left this node.</summary>
    /// <param name="Answer">The leader's answer relayed, or this node's 503.</param>
    /// <param name="NotSent">
    /// The leader could not be connected to, so the request was never sent: it is safe to send it again, to another node.
    /// </param>
    public readonly record struct Forwarded(IResult Answer, bool NotSent);

    /// <summary>Relays the request to node <paramref name="nodeId"/>'s peer port and writes its answer to this request's response.</summary>
    public async Task<IResult> ForwardAsync(HttpContext context, string nodeId, Uri peerUri, CancellationToken cancellationToken) =>
        (await TryForwardAsync(context, nodeId, peerUri, cancellationToken)).Answer;

    /// <summary>
    /// Relays the request to node <paramref name="nodeId"/>'s peer port; says whether it was never sent, because no
    /// connection to that node could be made, so the caller may send it elsewhere.
    /// </summary>
    public async Task<Forwarded> TryForwardAsync(HttpContext context, string nodeId, Uri peerUri, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(peerUri);
        var target = context.Features.Get<IHttpRequestFeature>()?.RawTarget is { Length: > 0 } raw && raw[0] == '/'
            ? raw
            : context.Request.Path + context.Request.QueryString;
        if (ForwardBatch.Carries(context.Request.Method, context.Request.Path.Value ?? string.Empty))
        {
            return await ForwardInBatchAsync(context, nodeId, peerUri, target, cancellationToken);
        }

        using var request = new HttpRequestMessage(new HttpMethod(context.Request.Method), new Uri(peerUri, target));
        request.Headers.Add(PeerHttp.ForwardedByHeader, topology.Self.NodeId);
        request.Headers.Add(PeerHttp.HopsHeader, (HopsOf(context) + 1).ToString(System.Globalization.CultureInfo.InvariantCulture));
        if (context.Request.Headers.Accept.ToString() is { Length: > 0 } accept)
        {
            // A read may ask for the value's raw bytes rather than JSON.
            request.Headers.TryAddWithoutValidation("Accept", accept);
        }

        if (await BodyAsync(context, cancellationToken) is { } body)
        {
            request.Content = new ByteArrayContent(body);
            if (context.Request.ContentType is { } contentType)
            {
                request.Content.Headers.TryAddWithoutValidation("Content-Type", contentType);
            }
        }

        HttpResponseMessage response;
        try
        {
            response = await peers.SendAsync(request, cancellationToken);
        }
        catch (HttpRequestException e)
        {
            return Failed(context, nodeId, e);
        }

        using (response)
        {
            var bytes = await response.Content.ReadAsByteArrayAsync(cancellationToken);
            if (response.Headers.RetryAfter is { } retryAfter)
            {
                context.Response.Headers.RetryAfter = retryAfter.ToString();
            }

            if (response.Headers.Location is { } location)
            {
                context.Response.Headers.Location = location.ToString();
            }

            foreach (var header in RelayedHeaders)
            {
                if (response.Headers.TryGetValues(header, out var values))
                {
                    context.Response.Headers[header] = values.ToArray();
                }
            }

            context.Response.Headers[Contracts.RoutingHeaders.ServedBy] = nodeId;
            return new Forwarded(new RelayedResponse((int)response.StatusCode, response.Content.Headers.ContentType?.ToString(), bytes), NotSent: false);
        }
    }

    /// <summary>Sends a key request with the next batch to <paramref name="nodeId"/> and relays its answer.</summary>
    private async Task<Forwarded> ForwardInBatchAsync(HttpContext context, string nodeId, Uri peerUri, string target, CancellationToken cancellationToken)
    {
        var body = await BodyAsync(context, cancellationToken);
        var accept = context.Request.Headers.Accept.ToString();
        var item = new ForwardBatch.Item(context.Request.Method, target, HopsOf(context) + 1, accept.Length > 0 ? accept : null, context.Request.ContentType, body);
        ForwardBatch.Answer answer;
        try
        {
            answer = await lanes.SendAsync(peerUri, item, cancellationToken);
        }
        catch (HttpRequestException e)
        {
            return Failed(context, nodeId, e);
        }

        foreach (var (name, value) in answer.Headers)
        {
            context.Response.Headers[name] = value;
        }

        context.Response.Headers[Contracts.RoutingHeaders.ServedBy] = nodeId;
        return new Forwarded(new RelayedResponse(answer.Status, answer.ContentType, answer.Body), NotSent: false);
    }

    /// <summary>The request's body, read again from its start; null when it has none (an empty body with a media type is a value: the empty bytes of a raw write).</summary>
    private static async Task<byte[]?> BodyAsync(HttpContext context, CancellationToken cancellationToken)
    {
        if (context.Request.ContentLength is not > 0 && !context.Request.Headers.ContainsKey("Transfer-Encoding") && context.Request.ContentType is null)
        {
            return null;
        }

        if (context.Request.Body.CanSeek)
        {
            context.Request.Body.Position = 0;
        }

        using var buffer = new MemoryStream();
        await context.Request.Body.CopyToAsync(buffer, cancellationToken);
        return buffer.ToArray();
    }

    /// <summary>
    /// The 503 for a forward that failed: one that could make no connection was never sent (no byte of it left this
    /// node), so it may be sent elsewhere; any other failure leaves its outcome unknown.
    /// </summary>
    private Forwarded Failed(HttpContext context, string nodeId, HttpRequestException e)
    {
        LogForwardFailed(logger, e, nodeId);
        return e.HttpRequestError is HttpRequestError.ConnectionError or HttpRequestError.NameResolutionError or HttpRequestError.SecureConnectionError
            ? new Forwarded(Problems.Unavailable(context, $"{nodeId}, which leads the key's shard, could not be reached: {e.Message}. The request was not sent."), NotSent: true)
            : new Forwarded(Problems.Unavailable(context, $"The connection to {nodeId}, which leads the key's shard, failed while the request was under way ({e.Message}): whether it was carried out is unknown."), NotSent: false);
    }

    [LoggerMessage(EventId = 300, Level = LogLevel.Warning, Message = "Could not forward a request to the leader {Leader}")]
    private static partial void LogForwardFailed(ILogger logger, Exception exception, string leader);

    /// <summary>The leader's answer, written back as it came.</summary>
    private sealed class RelayedResponse(int status, string? contentType, byte[] body) : IResult
    {
        public Task ExecuteAsync(HttpContext httpContext)
        {
            httpContext.Response.StatusCode = status;
            if (contentType is not null)
            {
                httpContext.Response.ContentType = contentType;
            }

            return httpContext.Response.Body.WriteAsync(body).AsTask();
        }
    }
}
