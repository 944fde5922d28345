using System.Diagnostics;
using System.Globalization;
using NodeNomad.Contracts;

namespace NodeNomad.Client;

/// <summary>Wraps each operation sent to a node in a span and a duration measurement; see <see cref="ClientTelemetry"/>.</summary>
internal sealed class ClientTelemetryHandler : DelegatingHandler
{
    /// <summary>
    /// An <see cref="HttpClient"/> that measures each request and then sends it with <paramref name="client"/>: how a
    /// client made without dependency injection, over the caller's own <see cref="HttpClient"/> (whose handlers this
    /// library cannot reach), emits the same spans and measurements as a registered one. The caller keeps
    /// <paramref name="client"/>, its handlers, timeout and default headers; the wrapper owns nothing to dispose.
    /// </summary>
    internal static HttpClient Instrument(HttpClient client)
    {
        ArgumentNullException.ThrowIfNull(client);
        return new HttpClient(new ClientTelemetryHandler { InnerHandler = new RelayTo(client) }, disposeHandler: true)
        {
            BaseAddress = client.BaseAddress,

            // The caller's client applies its own timeout; this one must not cut it shorter.
            Timeout = Timeout.InfiniteTimeSpan,
        };
    }

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var operation = OperationOf(request.RequestUri);
        var tags = new TagList
        {
            { "db.system.name", ClientTelemetry.SystemName },
            { "db.operation.name", operation },
            { "server.address", request.RequestUri?.Host },
            { "server.port", request.RequestUri?.Port },
        };
        using var activity = ClientTelemetry.Source.StartActivity(operation, ActivityKind.Client);
        if (activity is not null)
        {
            foreach (var tag in tags)
            {
                activity.SetTag(tag.Key, tag.Value);
            }
        }

        var started = Stopwatch.GetTimestamp();
        try
        {
            var response = await base.SendAsync(request, cancellationToken).ConfigureAwait(false);
            var status = ((int)response.StatusCode).ToString(CultureInfo.InvariantCulture);
            tags.Add("db.response.status_code", status);
            activity?.SetTag("db.response.status_code", status);
            if (response.Headers.TryGetValues(RoutingHeaders.Shard, out var shard))
            {
                activity?.SetTag("nodenomad.shard", shard.FirstOrDefault());
            }

            // A missing key is an answer, not a failure.
            if ((int)response.StatusCode >= 400 && response.StatusCode != System.Net.HttpStatusCode.NotFound)
            {
                tags.Add("error.type", status);
                activity?.SetTag("error.type", status);
                activity?.SetStatus(ActivityStatusCode.Error);
            }

            return response;
        }
        catch (Exception e)
        {
            var type = e.GetType().FullName;
            tags.Add("error.type", type);
            activity?.SetTag("error.type", type);
            activity?.SetStatus(ActivityStatusCode.Error, e.Message);
            throw;
        }
        finally
        {
            ClientTelemetry.OperationDuration.Record(Stopwatch.GetElapsedTime(started).TotalSeconds, tags);
        }
    }

    /// <summary>The operation a request performs: <c>set</c>, <c>get</c>, <c>keys</c>, <c>cluster.nodes</c>, <c>health</c>...</summary>
    internal static string OperationOf(Uri? uri)
    {
        var segments = (uri?.AbsolutePath ?? string.Empty).Split('/', StringSplitOptions.RemoveEmptyEntries);
        return segments switch
        {
            ["api", "v1", "cluster", var what, ..] => $"cluster.{what}",
            ["api", "v1", var operation, ..] => operation,
            [var first, ..] => first,
            _ => "unknown",
        };
    }

    /// <summary>Sends what reaches the end of the measuring pipeline with the caller's client.</summary>
    private sealed class RelayTo(HttpClient client) : HttpMessageHandler
    {
        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            // An HttpClient refuses a message another has already sent: the caller's client gets a copy sharing its content.
            var copy = new HttpRequestMessage(request.Method, request.RequestUri)
            {
                Content = request.Content,
                Version = request.Version,
                VersionPolicy = request.VersionPolicy,
            };
            foreach (var header in request.Headers)
            {
                copy.Headers.TryAddWithoutValidation(header.Key, header.Value);
            }

            foreach (var option in request.Options)
            {
                ((IDictionary<string, object?>)copy.Options)[option.Key] = option.Value;
            }

            return client.SendAsync(copy, cancellationToken);
        }
    }
}
