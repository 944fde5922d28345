using System.Net;
using System.Text;
using NodeNomad.Contracts;
using NodeNomad.Node.Security;

namespace NodeNomad.Node.Tests.Security;

/// <summary>Bodies over <c>MAX_REQUEST_BODY_BYTES</c> are 413 and callers over their rate 429, both ProblemDetails.</summary>
public sealed class RequestLimitTests : IDisposable
{
    // One request a minute after a burst of two: the third request in a test is over the limit.
    private readonly NodeFactory _node = new(new()
    {
        [ClientAccessOptions.Keys.AdminToken] = SecuredNode.AdminToken,
        [ClientAccessOptions.Keys.MaxRequestBodyBytes] = "65536",
        [ClientAccessOptions.Keys.RateLimitPerSecond] = "0.0166",
        [ClientAccessOptions.Keys.RateLimitBurst] = "2",
    });

    public void Dispose() => _node.Dispose();

    [Fact]
    public async Task a_body_over_the_limit_is_a_413_problem_not_a_reset()
    {
        var http = SecuredNode.Authorize(_node.CreateClient(), SecuredNode.AdminToken);
        var body = "{\"key\":\"big\",\"value\":\"" + new string('x', 70_000) + "\"}";
        using var response = await http.PostAsync("/api/v1/set", new StringContent(body, Encoding.UTF8, "application/json"));
        response.StatusCode.ShouldBe(HttpStatusCode.RequestEntityTooLarge);
        var problem = await response.ProblemAsync();
        problem.GetProperty("status").GetInt32().ShouldBe(413);
        problem.GetProperty("detail").GetString()!.ShouldContain(ClientAccessOptions.Keys.MaxRequestBodyBytes);
    }

    [Fact]
    public async Task a_caller_over_its_rate_gets_a_429_problem_with_retry_after_and_other_callers_do_not()
    {
        var http = SecuredNode.Authorize(_node.CreateClient(), SecuredNode.AdminToken);
        (await http.GetAsync("/api/v1/cluster/info")).StatusCode.ShouldBe(HttpStatusCode.OK);
        (await http.GetAsync("/api/v1/cluster/info")).StatusCode.ShouldBe(HttpStatusCode.OK);

        using var limited = await http.GetAsync("/api/v1/cluster/info");
        limited.StatusCode.ShouldBe(HttpStatusCode.TooManyRequests);
        limited.Headers.RetryAfter!.Delta!.Value.TotalSeconds.ShouldBeInRange(1, 61);
        (await limited.ProblemAsync()).GetProperty("status").GetInt32().ShouldBe(429);

        using var health = await _node.CreateClient().GetAsync("/health/live");
        health.StatusCode.ShouldBe(HttpStatusCode.OK, "health is not limited");
    }

    [Fact]
    public async Task each_key_has_a_bucket_of_its_own()
    {
        var admin = SecuredNode.Authorize(_node.CreateClient(), SecuredNode.AdminToken);
        var created = await SecuredNode.CreateKeyAsync(admin, "other", ApiScopes.Read);
        (await admin.GetAsync("/api/v1/cluster/info")).StatusCode.ShouldBe(HttpStatusCode.OK);
        (await admin.GetAsync("/api/v1/cluster/info")).StatusCode.ShouldBe(HttpStatusCode.TooManyRequests);

        var other = SecuredNode.Authorize(_node.CreateClient(), created.Token);
        (await other.GetAsync("/api/v1/cluster/info")).StatusCode.ShouldBe(HttpStatusCode.OK);
    }
}
