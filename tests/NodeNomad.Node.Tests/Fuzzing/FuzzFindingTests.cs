using System.Net;
using System.Text;

namespace NodeNomad.Node.Tests.Fuzzing;

/// <summary>Requests the fuzzers found answered with a server error or a ProblemDetails without a reason, each answered now with a 4xx saying what is wrong.</summary>
public sealed class FuzzFindingTests : IDisposable
{
    private readonly NodeFactory _node = new();
    private readonly HttpClient _http;

    public FuzzFindingTests() => _http = _node.CreateClient();

    public void Dispose() => _node.Dispose();

    private static async Task<string> DetailAsync(HttpResponseMessage response, HttpStatusCode status)
    {
        response.StatusCode.ShouldBe(status);
        var body = await response.Content.ReadAsByteArrayAsync(TestContext.Current.CancellationToken);
        ProblemAnswer.Fault((int)response.StatusCode, response.Content.Headers.ContentType?.MediaType, body).ShouldBeNull();
        return (await response.ProblemAsync()).GetProperty("detail").GetString()!;
    }

    [Theory]
    [InlineData("application/json; charset=bogus", "bogus")]
    [InlineData("application/json; charset=", "")]
    public async Task json_in_a_charset_no_encoding_has_is_415_naming_it(string contentType, string named)
    {
        using var content = new ByteArrayContent(Encoding.UTF8.GetBytes("{\"key\":\"k\",\"value\":\"v\"}"));
        content.Headers.TryAddWithoutValidation("Content-Type", contentType);

        using var response = await _http.PostAsync(new Uri("/api/v1/set", UriKind.Relative), content, TestContext.Current.CancellationToken);

        (await DetailAsync(response, HttpStatusCode.UnsupportedMediaType)).ShouldContain($"charset '{named}'");
    }

    [Fact]
    public async Task json_in_utf16_is_still_read()
    {
        using var content = new ByteArrayContent(Encoding.Unicode.GetBytes("{\"key\":\"utf16\",\"value\":\"v\"}"));
        content.Headers.TryAddWithoutValidation("Content-Type", "application/json; charset=utf-16");

        using var response = await AcknowledgedWrites.RetryAsync(() => _http.PostAsync(new Uri("/api/v1/set", UriKind.Relative), content, TestContext.Current.CancellationToken));

        response.StatusCode.ShouldBe(HttpStatusCode.OK);
    }

    [Theory]
    [InlineData("abc")]
    [InlineData("99999999999")]
    [InlineData("0")]
    [InlineData("-1")]
    public async Task a_decisions_limit_that_is_not_a_count_is_400_saying_so(string limit)
    {
        using var response = await _http.GetAsync(new Uri($"/api/v1/cluster/rebalancer/decisions?limit={limit}", UriKind.Relative), TestContext.Current.CancellationToken);

        (await DetailAsync(response, HttpStatusCode.BadRequest)).ShouldContain($"limit must be a whole number of at least 1; got '{limit}'");
    }

    [Theory]
    [InlineData("/api/v1/cluster/leadership")]
    [InlineData("/api/v1/cluster/migrate")]
    public async Task a_shard_named_by_a_string_that_is_not_utf8_is_400(string path)
    {
        using var content = new ByteArrayContent([.. "{\"shardId\": \"sh"u8, 0xFF, .. "\", \"nodeId\": \"node-1\", \"targetNodeId\": \"node-1\"}"u8]);
        content.Headers.TryAddWithoutValidation("Content-Type", "application/json");

        using var response = await _http.PostAsync(new Uri(path, UriKind.Relative), content, TestContext.Current.CancellationToken);

        (await DetailAsync(response, HttpStatusCode.BadRequest)).ShouldContain("shardId must name");
    }
}
