using Microsoft.Extensions.Http.Resilience;
using Polly;

namespace NodeNomad.Client;

/// <summary>
/// Which failed attempts the resilience pipeline may repeat. A read can be repeated freely. A write cannot:
/// once its bytes have left, a timeout, a reset connection or a 5xx says nothing about whether the node
/// applied it, and repeating it could apply it twice (a set overwriting a newer value, a compare-and-set
/// reporting a conflict with its own first attempt). So a write is repeated only when the connection to the
/// node was never made, which proves the node never saw it, or when the store answered 503 with
/// <c>X-NodeNomad-Not-Taken: true</c>, which says no replica took it.
/// </summary>
internal static class RetryRules
{
    private const string HealthPath = "/health";
    private const string ApiPath = "/api/v1/";

    public static bool MayRetry(HttpRequestMessage? request, Outcome<HttpResponseMessage> outcome)
    {
        if (request is null || IsHealthProbe(request))
        {
            return false;
        }

        if (request.Method == HttpMethod.Get || request.Method == HttpMethod.Head)
        {
            return HttpClientResiliencePredicates.IsTransient(outcome);
        }

        return NeverReachedTheNode(outcome.Exception) || NotTaken(outcome.Result);
    }

    private static bool NotTaken(HttpResponseMessage? response) =>
        response is { StatusCode: System.Net.HttpStatusCode.ServiceUnavailable }
        && response.Headers.TryGetValues(Contracts.RoutingHeaders.NotTaken, out var values)
        && values.Any(v => string.Equals(v, "true", StringComparison.OrdinalIgnoreCase));

    /// <summary>
    /// A health probe reports what it sees at once: its 503 is an answer (the node is unhealthy), not a
    /// failure to wait out, and it must not trip the circuit breaker for the calls that follow.
    /// </summary>
    public static bool IsHealthProbe(HttpRequestMessage request)
    {
        // The base address may carry a path of its own; keys only ever travel under the API's path.
        var path = request.RequestUri is { IsAbsoluteUri: true } uri ? uri.AbsolutePath : string.Empty;
        return path.EndsWith(HealthPath, StringComparison.Ordinal) && !path.Contains(ApiPath, StringComparison.Ordinal);
    }

    private static bool NeverReachedTheNode(Exception? exception) =>
        exception is HttpRequestException
        {
            HttpRequestError: HttpRequestError.NameResolutionError
                or HttpRequestError.ConnectionError
                or HttpRequestError.SecureConnectionError,
        };
}
