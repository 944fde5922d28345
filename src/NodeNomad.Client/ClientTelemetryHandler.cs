using System.Diagnostics;
using System.Globalization;
using NodeNomad.Contracts;

namespace NodeNomad.Client;

/// <summary>Wraps each operation sent to a node in a span and a duration measurement; see <see cref="ClientTelemetry"/>.</summary>
internal sealed class ClientTelemetryHandler : DelegatingHandler
{
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
}
