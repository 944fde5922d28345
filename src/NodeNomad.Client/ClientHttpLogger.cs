using Microsoft.Extensions.Http.Logging;
using Microsoft.Extensions.Logging;

namespace NodeNomad.Client;

/// <summary>
/// The client's HTTP log, under the category <c>NodeNomad.Client</c> and at Debug, so an application's log stays quiet
/// unless it asks for it; it replaces the factory's per-request Information lines.
/// </summary>
internal sealed partial class ClientHttpLogger(ILogger logger) : IHttpClientLogger
{
    public object? LogRequestStart(HttpRequestMessage request) => null;

    public void LogRequestStop(object? context, HttpRequestMessage request, HttpResponseMessage response, TimeSpan elapsed) =>
        LogAnswered(request.Method, request.RequestUri, (int)response.StatusCode, elapsed.TotalMilliseconds);

    public void LogRequestFailed(object? context, HttpRequestMessage request, HttpResponseMessage? response, Exception exception, TimeSpan elapsed) =>
        LogFailed(exception, request.Method, request.RequestUri, elapsed.TotalMilliseconds);

    [LoggerMessage(EventId = 1, Level = LogLevel.Debug, Message = "{Method} {Uri} answered {Status} in {Milliseconds:0.#} ms")]
    private partial void LogAnswered(HttpMethod method, Uri? uri, int status, double milliseconds);

    [LoggerMessage(EventId = 2, Level = LogLevel.Debug, Message = "{Method} {Uri} failed after {Milliseconds:0.#} ms")]
    private partial void LogFailed(Exception exception, HttpMethod method, Uri? uri, double milliseconds);
}
