using System.Net;
using Polly;
using Polly.Timeout;

namespace NodeNomad.Client.Tests;

public sealed class RetryRulesDecide
{
    [Theory]
    [InlineData("503")]
    [InlineData("500")]
    [InlineData("429")]
    [InlineData("408")]
    [InlineData("attempt timeout")]
    [InlineData("response ended")]
    [InlineData("connection refused")]
    public void a_read_is_retried_on_any_transient_failure(string failure)
    {
        RetryRules.MayRetry(Request(HttpMethod.Get, "/api/v1/get/k"), Outcome(failure)).ShouldBeTrue();
    }

    [Theory]
    [InlineData("POST", "/api/v1/set")]
    [InlineData("POST", "/api/v1/cas")]
    [InlineData("DELETE", "/api/v1/delete/k")]
    public void a_write_is_retried_only_when_the_node_was_never_reached(string method, string path)
    {
        var request = Request(new HttpMethod(method), path);

        RetryRules.MayRetry(request, Outcome("connection refused")).ShouldBeTrue();
        RetryRules.MayRetry(request, Outcome("name not resolved")).ShouldBeTrue();
        RetryRules.MayRetry(request, Outcome("attempt timeout")).ShouldBeFalse();
        RetryRules.MayRetry(request, Outcome("response ended")).ShouldBeFalse();
        RetryRules.MayRetry(request, Outcome("503")).ShouldBeFalse();
        RetryRules.MayRetry(request, Outcome("500")).ShouldBeFalse();
    }

    [Theory]
    [InlineData("POST", "/api/v1/set")]
    [InlineData("PUT", "/api/v1/cas/k")]
    [InlineData("DELETE", "/api/v1/delete/k")]
    public void a_write_the_store_says_no_replica_took_is_retried(string method, string path)
    {
        var request = Request(new HttpMethod(method), path);

        RetryRules.MayRetry(request, Outcome("503 not taken")).ShouldBeTrue();
        RetryRules.MayRetry(request, Outcome("500 not taken")).ShouldBeFalse();
        RetryRules.MayRetry(request, Outcome("503 not taken: false")).ShouldBeFalse();
    }

    [Fact]
    public void an_answer_that_is_not_a_failure_is_not_retried()
    {
        RetryRules.MayRetry(Request(HttpMethod.Get, "/api/v1/get/k"), Outcome("404")).ShouldBeFalse();
        RetryRules.MayRetry(Request(HttpMethod.Get, "/api/v1/get/k"), Outcome("421")).ShouldBeFalse();
    }

    [Fact]
    public void a_health_probe_is_never_retried()
    {
        RetryRules.MayRetry(Request(HttpMethod.Get, "/health"), Outcome("503")).ShouldBeFalse();
    }

    [Fact]
    public void a_key_named_health_is_not_a_health_probe()
    {
        RetryRules.MayRetry(Request(HttpMethod.Get, "/api/v1/get/health"), Outcome("503")).ShouldBeTrue();
        RetryRules.MayRetry(Request(HttpMethod.Get, "/api/v1/get/%2Fhealth"), Outcome("503")).ShouldBeTrue();
    }

    private static HttpRequestMessage Request(HttpMethod method, string path) => new(method, new Uri(FakeNode.Address, path));

    private static HttpResponseMessage Marked(HttpStatusCode status, string notTaken)
    {
        var response = new HttpResponseMessage(status);
        response.Headers.Add("X-NodeNomad-Not-Taken", notTaken);
        return response;
    }

    private static Outcome<HttpResponseMessage> Outcome(string failure) => failure switch
    {
        "attempt timeout" => Polly.Outcome.FromException<HttpResponseMessage>(new TimeoutRejectedException()),
        "response ended" => Polly.Outcome.FromException<HttpResponseMessage>(
            new HttpRequestException(HttpRequestError.ResponseEnded, "ended")),
        "connection refused" => Polly.Outcome.FromException<HttpResponseMessage>(
            new HttpRequestException(HttpRequestError.ConnectionError, "refused")),
        "name not resolved" => Polly.Outcome.FromException<HttpResponseMessage>(
            new HttpRequestException(HttpRequestError.NameResolutionError, "no such host")),
        "503 not taken" => Polly.Outcome.FromResult(Marked(HttpStatusCode.ServiceUnavailable, "true")),
        "500 not taken" => Polly.Outcome.FromResult(Marked(HttpStatusCode.InternalServerError, "true")),
        "503 not taken: false" => Polly.Outcome.FromResult(Marked(HttpStatusCode.ServiceUnavailable, "false")),
        _ => Polly.Outcome.FromResult(new HttpResponseMessage((HttpStatusCode)int.Parse(failure, System.Globalization.CultureInfo.InvariantCulture))),
    };
}
