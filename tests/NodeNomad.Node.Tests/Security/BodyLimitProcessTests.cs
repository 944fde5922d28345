using System.Net;
using NodeNomad.Node.Security;
using NodeNomad.Testing;

namespace NodeNomad.Node.Tests.Security;

/// <summary>A real node process under Kestrel: a body over <c>MAX_REQUEST_BODY_BYTES</c> is a 413 ProblemDetails whether it declares its length or not.</summary>
[Collection(LocalClusters.Name)]
public sealed class BodyLimitProcessTests
{
    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task a_body_over_the_limit_is_a_413_problem_with_or_without_a_content_length(bool declared)
    {
        await using var node = await NodeProcess.StartAsync(environment: new Dictionary<string, string> { [ClientAccessOptions.Keys.MaxRequestBodyBytes] = "65536" });
        using var http = new HttpClient { BaseAddress = node.BaseAddress };
        var bytes = System.Text.Encoding.UTF8.GetBytes("{\"key\":\"big\",\"value\":\"" + new string('x', 200_000) + "\"}");
        HttpContent content = declared ? new ByteArrayContent(bytes) : new StreamContent(new UnseekableStream(bytes));
        content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/json");

        using var response = await http.PostAsync(new Uri("/api/v1/set", UriKind.Relative), content);

        response.StatusCode.ShouldBe(HttpStatusCode.RequestEntityTooLarge);
        (await response.ProblemAsync()).GetProperty("status").GetInt32().ShouldBe(413);
        (await http.SetAsync("small", "fits")).StatusCode.ShouldBe(HttpStatusCode.OK);
    }

    /// <summary>A body whose length HttpClient cannot know, so it goes out chunked.</summary>
    private sealed class UnseekableStream(byte[] bytes) : MemoryStream(bytes)
    {
        public override bool CanSeek => false;
    }
}
