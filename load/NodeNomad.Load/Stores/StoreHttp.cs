using System.Net;
using System.Text.Json;

namespace NodeNomad.Load.Stores;

/// <summary>Sends a store's requests and turns what goes wrong into an <see cref="OperationResult"/> of the right kind.</summary>
internal static class StoreHttp
{
    /// <summary>
    /// The client every store is loaded with: pooled connections kept for the whole run, no proxy, and a timeout
    /// short enough that a stall shows as timeouts within the run rather than as one hung client.
    /// </summary>
    public static HttpClient CreateClient(TimeSpan timeout) => new(new SocketsHttpHandler
    {
        MaxConnectionsPerServer = 256,
        PooledConnectionLifetime = Timeout.InfiniteTimeSpan,
        UseProxy = false,
        AllowAutoRedirect = false,
    })
    {
        Timeout = timeout,
    };

    /// <summary>Sends <paramref name="request"/>; null with <paramref name="error"/> set when no answer came.</summary>
    public static async Task<(HttpResponseMessage? Response, OperationResult Error)> SendAsync(HttpClient http, HttpRequestMessage request,
        CancellationToken cancellationToken)
    {
        try
        {
            return (await http.SendAsync(request, cancellationToken), default);
        }
        catch (TaskCanceledException e) when (!cancellationToken.IsCancellationRequested)
        {
            return (null, new OperationResult(Outcome.Timeout, Detail: $"{request.Method} {request.RequestUri}: {e.Message}"));
        }
        catch (HttpRequestException e)
        {
            return (null, new OperationResult(Outcome.Other, Detail: $"{request.Method} {request.RequestUri}: {e.Message}"));
        }
    }

    /// <summary>An answer that is neither success nor an expected refusal, as an error of its kind.</summary>
    public static async Task<OperationResult> ErrorAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        var body = await ReadBodyAsync(response, cancellationToken);
        var detail = $"{(int)response.StatusCode} from {response.RequestMessage?.Method} {response.RequestMessage?.RequestUri}: {body}";
        return new OperationResult(response.StatusCode switch
        {
            HttpStatusCode.ServiceUnavailable => Outcome.Unavailable,
            HttpStatusCode.GatewayTimeout or HttpStatusCode.RequestTimeout => Outcome.Timeout,
            _ => Outcome.Other,
        }, Detail: detail);
    }

    /// <summary>A whole-number property of the answer's JSON, or 0; etcd's gateway writes 64-bit numbers as strings.</summary>
    public static long Number(JsonElement element, string name) =>
        element.ValueKind == JsonValueKind.Object && element.TryGetProperty(name, out var value)
            ? value.ValueKind switch
            {
                JsonValueKind.Number => value.GetInt64(),
                JsonValueKind.String when long.TryParse(value.GetString(), System.Globalization.CultureInfo.InvariantCulture, out var n) => n,
                _ => 0,
            }
            : 0;

    public static async Task<JsonDocument?> ReadJsonAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        try
        {
            await using var stream = await response.Content.ReadAsStreamAsync(cancellationToken);
            return await JsonDocument.ParseAsync(stream, cancellationToken: cancellationToken);
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private static async Task<string> ReadBodyAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        try
        {
            var body = await response.Content.ReadAsStringAsync(cancellationToken);
            return body.Length > 300 ? body[..300] + "…" : body;
        }
        catch (HttpRequestException e)
        {
            return e.Message;
        }
    }
}
