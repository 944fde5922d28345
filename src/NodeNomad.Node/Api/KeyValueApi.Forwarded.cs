using System.Buffers;
using Microsoft.AspNetCore.Http.Features;
using NodeNomad.Node.Http;
using NodeNomad.Node.Peers;
using NodeNomad.Node.Runtime;
using NodeNomad.Node.Telemetry;

namespace NodeNomad.Node.Api;

/// <summary>The batches of forwarded key requests, served on the peer port.</summary>
public static partial class KeyValueApi
{
    // The answer headers a forwarded request's answer carries back, as a single forward relays them.
    private static readonly string[] AnswerHeaders = ["Retry-After", "Location", .. LeaderForwarder.RelayedHeaders];

    /// <summary>Maps <c>POST /peer/v1/forward</c>: a batch of forwarded key requests, each served as if it had come alone.</summary>
    public static IEndpointRouteBuilder MapForwardedBatches(this IEndpointRouteBuilder routes)
    {
        routes.MapPost(ForwardBatch.Path, ServeBatchAsync).ExcludeFromDescription();
        return routes;
    }

    private static async Task ServeBatchAsync(HttpContext context)
    {
        using var buffer = new MemoryStream();
        await context.Request.Body.CopyToAsync(buffer, context.RequestAborted);
        List<ForwardBatch.Item> items;
        try
        {
            items = ForwardBatch.ReadItems(buffer.GetBuffer().AsSpan(0, (int)buffer.Length));
        }
        catch (FormatException e)
        {
            await Problems.Invalid($"The body is not a batch of forwarded requests: {e.Message}").ExecuteAsync(context);
            return;
        }

        context.RequestServices.GetRequiredService<NodeMetrics>().ForwardBatch(items.Count);

        // Every request is served at once: the writes among them join the same turn of their groups, as they would have
        // had they come one by one.
        var answers = await Task.WhenAll(items.Select(item => ServeForwardedAsync(context, item)));
        var output = new ArrayBufferWriter<byte>(256 * answers.Length);
        ForwardBatch.WriteAnswers(output, answers);
        context.Response.ContentType = "application/octet-stream";
        await context.Response.Body.WriteAsync(output.WrittenMemory, context.RequestAborted);
    }

    /// <summary>Serves one request of a batch with the endpoint that would have served it alone, and captures its answer.</summary>
    private static async Task<ForwardBatch.Answer> ServeForwardedAsync(HttpContext batch, ForwardBatch.Item item)
    {
        var context = new DefaultHttpContext { RequestServices = batch.RequestServices, RequestAborted = batch.RequestAborted };
        var request = context.Request;
        request.Method = item.Method;
        var query = item.Target.IndexOf('?', StringComparison.Ordinal);
        request.Path = PathString.FromUriComponent(query < 0 ? item.Target : item.Target[..query]);
        request.QueryString = new QueryString(query < 0 ? null : item.Target[query..]);
        context.Features.Get<IHttpRequestFeature>()!.RawTarget = item.Target;
        request.Headers[PeerHttp.HopsHeader] = item.Hops.ToString(System.Globalization.CultureInfo.InvariantCulture);
        if (item.Accept is not null)
        {
            request.Headers.Accept = item.Accept;
        }

        if (item.ContentType is not null)
        {
            request.ContentType = item.ContentType;
        }

        if (item.Body is not null)
        {
            request.Body = new MemoryStream(item.Body, writable: false);
            request.ContentLength = item.Body.Length;
        }

        context.Items[PeerPortGate.PeerRequestKey] = true;
        using var body = new MemoryStream();
        context.Response.Body = body;
        try
        {
            var result = await DispatchAsync(context, item);
            await result.ExecuteAsync(context);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            // What the exception handler would have answered had the request come alone.
            var logger = batch.RequestServices.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(KeyValueApi));
            LogForwardedFailed(logger, e, item.Method, item.Target);
            context.Response.Headers.Clear();
            body.SetLength(0);
            await TypedResults.Problem("The node failed to serve the request.", statusCode: StatusCodes.Status500InternalServerError).ExecuteAsync(context);
        }

        var headers = new List<KeyValuePair<string, string>>();
        foreach (var name in AnswerHeaders)
        {
            if (context.Response.Headers.TryGetValue(name, out var value))
            {
                headers.Add(KeyValuePair.Create(name, value.ToString()));
            }
        }

        return new ForwardBatch.Answer(context.Response.StatusCode, context.Response.ContentType, headers, body.ToArray());
    }

    private static Task<IResult> DispatchAsync(HttpContext context, ForwardBatch.Item item)
    {
        var services = context.RequestServices;
        var router = services.GetRequiredService<ShardRouter>();
        var metrics = services.GetRequiredService<NodeMetrics>();
        var path = context.Request.Path.Value ?? string.Empty;
        var method = item.Method;
        var cancellationToken = context.RequestAborted;
        if (HttpMethods.IsPost(method) && path.Equals($"{Prefix}/set", StringComparison.OrdinalIgnoreCase))
        {
            return SetAsync(context, router, metrics, cancellationToken);
        }

        if (HttpMethods.IsPost(method) && path.Equals($"{Prefix}/cas", StringComparison.OrdinalIgnoreCase))
        {
            return CompareAndSetAsync(context, router, metrics, cancellationToken);
        }

        if (HttpMethods.IsDelete(method) && path.StartsWith($"{Prefix}/delete/", StringComparison.OrdinalIgnoreCase))
        {
            return DeleteAsync(context, router, metrics, cancellationToken);
        }

        var clock = services.GetRequiredService<TimeProvider>();
        if (HttpMethods.IsGet(method) && path.StartsWith($"{Prefix}/get/", StringComparison.OrdinalIgnoreCase))
        {
            return GetAsync(context, router, metrics, clock, cancellationToken);
        }

        if (HttpMethods.IsGet(method) && path.StartsWith($"{Prefix}/exists/", StringComparison.OrdinalIgnoreCase))
        {
            return ExistsAsync(context, router, metrics, clock, cancellationToken);
        }

        if (HttpMethods.IsGet(method) && path.StartsWith($"{Prefix}/ttl/", StringComparison.OrdinalIgnoreCase))
        {
            return TtlAsync(context, router, metrics, clock, cancellationToken);
        }

        return Task.FromResult(Problems.Invalid($"{method} {path} is not a request that travels in a batch."));
    }

    [LoggerMessage(EventId = 311, Level = LogLevel.Error, Message = "A forwarded request {Method} {Target} of a batch failed")]
    private static partial void LogForwardedFailed(ILogger logger, Exception exception, string method, string target);
}
