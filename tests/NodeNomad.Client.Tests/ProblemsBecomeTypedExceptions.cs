using System.Net;
using System.Net.Http.Headers;
using System.Text;
using Refit;

namespace NodeNomad.Client.Tests;

public sealed class ProblemsBecomeTypedExceptions
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Theory]
    [InlineData(HttpStatusCode.BadRequest)]
    [InlineData(HttpStatusCode.RequestEntityTooLarge)]
    public async Task a_refused_request_is_an_invalid_request(HttpStatusCode status)
    {
        var node = new FakeNode().AnswersProblem(
            status,
            new { type = "https://nodenomad.dev/problems/invalid", title = "Invalid request", status = (int)status, detail = "The value is over 1 MiB.", field = "value" });

        var error = await Should.ThrowAsync<InvalidRequestException>(() => node.Client().SetAsync("k", "v", cancellationToken: Ct));

        error.StatusCode.ShouldBe(status);
        error.Title.ShouldBe("Invalid request");
        error.Detail.ShouldBe("The value is over 1 MiB.");
        error.Message.ShouldContain("The value is over 1 MiB.");
        var problem = error.Problem.ShouldNotBeNull();
        problem.Status.ShouldBe((int)status);
        problem.Type.ShouldBe("https://nodenomad.dev/problems/invalid");
        problem.Extensions["field"].ShouldBe("value");
    }

    [Fact]
    public async Task a_version_mismatch_is_a_version_conflict_with_the_current_version()
    {
        var node = new FakeNode().AnswersProblem(
            HttpStatusCode.Conflict,
            new { title = "Version conflict", status = 409, detail = "Expected 3, found 12.", currentVersion = 12 });

        var error = await Should.ThrowAsync<VersionConflictException>(() => node.Client().CompareAndSetAsync("k", 3, "v", cancellationToken: Ct));

        error.StatusCode.ShouldBe(HttpStatusCode.Conflict);
        error.CurrentVersion.ShouldBe(12);
        error.Title.ShouldBe("Version conflict");
        error.Detail.ShouldBe("Expected 3, found 12.");
    }

    [Fact]
    public async Task a_version_conflict_on_an_absent_key_has_no_current_version()
    {
        var node = new FakeNode().AnswersProblem(
            HttpStatusCode.Conflict,
            new { title = "Version conflict", status = 409, currentVersion = (long?)null });

        var error = await Should.ThrowAsync<VersionConflictException>(() => node.Client().CompareAndSetAsync("k", 3, "v", cancellationToken: Ct));

        error.CurrentVersion.ShouldBeNull();
    }

    [Fact]
    public async Task a_misdirected_request_is_a_wrong_node_with_the_leader_url()
    {
        var node = new FakeNode().AnswersProblem(
            HttpStatusCode.MisdirectedRequest,
            new { title = "Wrong node", status = 421, detail = "Shard 3 is led by node-2.", leaderUrl = "http://node-2:3002" });

        var error = await Should.ThrowAsync<WrongNodeException>(() => node.Client().GetAsync("k", Ct));

        error.StatusCode.ShouldBe(HttpStatusCode.MisdirectedRequest);
        error.LeaderUrl.ShouldBe(new Uri("http://node-2:3002"));
        error.Detail.ShouldBe("Shard 3 is led by node-2.");
    }

    [Fact]
    public async Task a_wrong_node_without_a_known_leader_has_no_leader_url()
    {
        var node = new FakeNode().AnswersProblem(
            HttpStatusCode.MisdirectedRequest,
            new { title = "Wrong node", status = 421, leaderUrl = (string?)null });

        var error = await Should.ThrowAsync<WrongNodeException>(() => node.Client().GetAsync("k", Ct));

        error.LeaderUrl.ShouldBeNull();
    }

    [Fact]
    public async Task an_unavailable_cluster_is_cluster_unavailable_with_retry_after()
    {
        var node = new FakeNode().AnswersProblem(
            HttpStatusCode.ServiceUnavailable,
            new { title = "No quorum", status = 503, detail = "Shard 3 has no leader." },
            response => response.Headers.RetryAfter = new RetryConditionHeaderValue(TimeSpan.FromSeconds(5)));

        var error = await Should.ThrowAsync<ClusterUnavailableException>(() => node.Client().SetAsync("k", "v", cancellationToken: Ct));

        error.StatusCode.ShouldBe(HttpStatusCode.ServiceUnavailable);
        error.RetryAfter.ShouldBe(TimeSpan.FromSeconds(5));
        error.Title.ShouldBe("No quorum");
    }

    [Fact]
    public async Task an_unavailable_cluster_without_retry_after_has_none()
    {
        var node = new FakeNode().AnswersProblem(HttpStatusCode.ServiceUnavailable, new { title = "No quorum", status = 503 });

        var error = await Should.ThrowAsync<ClusterUnavailableException>(() => node.Client().GetAsync("k", Ct));

        error.RetryAfter.ShouldBeNull();
    }

    [Fact]
    public async Task a_retry_after_date_becomes_the_time_left_until_it()
    {
        var now = new DateTimeOffset(2030, 1, 1, 12, 0, 0, TimeSpan.Zero);
        var node = new FakeNode().AnswersProblem(
            HttpStatusCode.ServiceUnavailable,
            new { title = "No quorum", status = 503 },
            response => response.Headers.RetryAfter = new RetryConditionHeaderValue(now.AddSeconds(90)));
        var response = await RestService.ForGenerated<INodeNomadApi>(
            new HttpClient(node) { BaseAddress = FakeNode.Address },
            NodeNomadJsonContext.Default).GetAsync("k", Ct);
        response.HasResponseError(out var apiError).ShouldBeTrue();

        var error = ProblemResponse.ToException(apiError, new FixedClock(now));

        error.ShouldBeOfType<ClusterUnavailableException>().RetryAfter.ShouldBe(TimeSpan.FromSeconds(90));
    }

    [Fact]
    public async Task any_other_status_is_a_node_nomad_exception()
    {
        var node = new FakeNode().AnswersProblem(
            HttpStatusCode.InternalServerError,
            new { title = "Internal error", status = 500, traceId = "00-abc" });

        var error = await Should.ThrowAsync<NodeNomadException>(() => node.Client().GetAsync("k", Ct));

        error.GetType().ShouldBe(typeof(NodeNomadException));
        error.StatusCode.ShouldBe(HttpStatusCode.InternalServerError);
        error.Problem.ShouldNotBeNull().Extensions["traceId"].ShouldBe("00-abc");
    }

    [Fact]
    public async Task an_error_page_that_is_not_a_problem_keeps_the_status_and_reason()
    {
        var node = new FakeNode().Answers(_ => new HttpResponseMessage(HttpStatusCode.BadGateway)
        {
            ReasonPhrase = "Bad Gateway",
            Content = new StringContent("<html>upstream down</html>", Encoding.UTF8, "text/html"),
        });

        var error = await Should.ThrowAsync<NodeNomadException>(() => node.Client().GetAsync("k", Ct));

        error.StatusCode.ShouldBe(HttpStatusCode.BadGateway);
        error.Title.ShouldBe("Bad Gateway");
        error.Problem.ShouldBeNull();
    }

    [Fact]
    public async Task an_unreachable_node_surfaces_the_transport_error_itself()
    {
        var refused = new HttpRequestException(HttpRequestError.ConnectionError, "Connection refused");
        var node = new FakeNode().Throws(refused);

        var error = await Should.ThrowAsync<HttpRequestException>(() => node.Client().GetAsync("k", Ct));

        error.ShouldBeSameAs(refused);
    }

    private sealed class FixedClock(DateTimeOffset now) : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() => now;
    }
}
