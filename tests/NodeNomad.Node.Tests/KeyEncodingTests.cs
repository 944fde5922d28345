using System.Net;
using NodeNomad.Contracts;

namespace NodeNomad.Node.Tests;

/// <summary>
/// Keys may hold '/', '%', spaces and any Unicode; every endpoint reads them back exactly. These run against a
/// real node process, since the in-memory test server does not hand the application the raw request target
/// that Kestrel does.
/// </summary>
public sealed class KeyEncodingTests(RunningNode node) : IClassFixture<RunningNode>
{
    public static readonly TheoryData<string> Keys = new()
    {
        "a/b/c",
        "/leading-and-trailing/",
        "a%2Fb",
        "100%",
        "with space",
        "plus+sign",
        "question?mark#hash",
        "ключ",
        "日本語/キー",
        "emoji 🚀",
        "...",
        "a/../b",
        "a//b",
    };

    private readonly HttpClient _http = node.Http;

    [Theory]
    [MemberData(nameof(Keys))]
    public async Task a_key_round_trips_through_every_endpoint(string key)
    {
        var written = await (await _http.SetAsync(key, $"value of {key}")).BodyAsync<WriteResult>();
        written.Key.ShouldBe(key);

        var got = await _http.GetAsync(Json.KeyPath("get", key));
        got.StatusCode.ShouldBe(HttpStatusCode.OK);
        (await got.BodyAsync<KeyValue>()).ShouldBe(new KeyValue(key, $"value of {key}", written.Version, null));
        (await (await _http.GetAsync(Json.KeyPath("exists", key))).BodyAsync<ExistsResult>()).ShouldBe(new ExistsResult(key, true, written.Version));
        (await (await _http.GetAsync(Json.KeyPath("ttl", key))).BodyAsync<TtlResult>()).Key.ShouldBe(key);

        var listed = await (await _http.GetAsync(new Uri($"/api/v1/keys?prefix={Uri.EscapeDataString(key)}", UriKind.Relative))).BodyAsync<KeyPage>();
        listed.Items.Select(i => i.Key).ShouldContain(key);

        (await _http.DeleteAsync(Json.KeyPath("delete", key))).StatusCode.ShouldBe(HttpStatusCode.OK);
        (await _http.GetAsync(Json.KeyPath("get", key))).StatusCode.ShouldBe(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task an_encoded_slash_and_a_plain_slash_are_different_keys()
    {
        await _http.SetAsync("x/y", "slash");
        await _http.SetAsync("x%2Fy", "literal");
        (await (await _http.GetAsync(new Uri("/api/v1/get/x/y", UriKind.Relative))).BodyAsync<KeyValue>()).Value.ShouldBe("slash");
        (await (await _http.GetAsync(new Uri("/api/v1/get/x%2Fy", UriKind.Relative))).BodyAsync<KeyValue>()).Value.ShouldBe("slash");
        (await (await _http.GetAsync(new Uri("/api/v1/get/x%252Fy", UriKind.Relative))).BodyAsync<KeyValue>()).Value.ShouldBe("literal");
    }

    [Theory]
    [InlineData(".")]
    [InlineData("..")]
    public async Task dot_segment_keys_are_refused_because_urls_drop_them(string key)
    {
        var response = await _http.SetAsync(key, "v");
        response.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        (await response.ProblemAsync()).GetProperty("detail").GetString()!.ShouldContain("path segments");
    }
}
