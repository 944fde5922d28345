using System.Net;
using System.Net.Http.Json;
using System.Text;

namespace NodeNomad.Node.Tests;

/// <summary>Every kind of bad input gets a ProblemDetails answer with the reason, and the node keeps serving.</summary>
public sealed class ErrorPathTests : IDisposable
{
    private readonly NodeFactory _node = new();
    private readonly HttpClient _http;

    public ErrorPathTests() => _http = _node.CreateClient();

    public void Dispose() => _node.Dispose();

    private async Task ShouldBeProblem(HttpResponseMessage response, HttpStatusCode status, string reasonFragment)
    {
        response.StatusCode.ShouldBe(status);
        var problem = await response.ProblemAsync();
        problem.GetProperty("status").GetInt32().ShouldBe((int)status);
        problem.GetProperty("detail").GetString()!.ShouldContain(reasonFragment, Case.Insensitive);

        // The node is still fine after the bad request.
        (await _http.SetAsync("still-alive", "yes")).StatusCode.ShouldBe(HttpStatusCode.OK);
    }

    private Task<HttpResponseMessage> PostRaw(string path, string body, string contentType = "application/json") =>
        _http.PostAsync(new Uri(path, UriKind.Relative), new StringContent(body, Encoding.UTF8, contentType));

    [Theory]
    [InlineData("{\"key\": \"a\", \"value\": ")]
    [InlineData("not json at all")]
    [InlineData("[1, 2, 3]")]
    public async Task malformed_json_is_400(string body) =>
        await ShouldBeProblem(await PostRaw("/api/v1/set", body), HttpStatusCode.BadRequest, "Malformed JSON");

    [Theory]
    [InlineData("/api/v1/set", "{\"key\": \"a\", \"value\": 5}", "value must be a string.")]
    [InlineData("/api/v1/set", "{\"key\": 7, \"value\": \"v\"}", "key must be a string.")]
    [InlineData("/api/v1/set", "{\"key\": \"a\", \"value\": \"v\", \"ttl\": \"soon\"}", "ttl must be a whole number or null.")]
    [InlineData("/api/v1/set", "{\"key\": \"a\", \"value\": \"v\", \"ttl\": 1.5}", "ttl must be a whole number or null.")]
    [InlineData("/api/v1/cas", "{\"key\": \"a\", \"expectedVersion\": true, \"value\": \"v\"}", "expectedVersion must be a whole number.")]
    public async Task a_field_of_the_wrong_kind_is_400_naming_the_field_and_its_kind_not_a_dotnet_type(string path, string body, string reason)
    {
        var response = await PostRaw(path, body);

        var detail = (await response.ProblemAsync()).GetProperty("detail").GetString()!;
        detail.ShouldBe(reason);
        detail.ShouldNotContain("System.");
        await ShouldBeProblem(await PostRaw(path, body), HttpStatusCode.BadRequest, reason);
    }

    [Theory]
    [InlineData("soon")]
    [InlineData("-1")]
    [InlineData("99999999999999999999999")]
    public async Task a_malformed_routing_epoch_is_400(string epoch)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "/api/v1/get/some-key");
        request.Headers.Add("X-NodeNomad-Epoch", epoch);
        await ShouldBeProblem(await _http.SendAsync(request), HttpStatusCode.BadRequest, "X-NodeNomad-Epoch must be");
    }

    [Fact]
    public async Task a_null_body_is_400() =>
        await ShouldBeProblem(await PostRaw("/api/v1/set", "null"), HttpStatusCode.BadRequest, "JSON object");

    [Fact]
    public async Task a_body_that_is_not_json_is_415() =>
        await ShouldBeProblem(await PostRaw("/api/v1/set", "key=a&value=b", "application/x-www-form-urlencoded"), HttpStatusCode.UnsupportedMediaType, "application/json");

    [Fact]
    public async Task a_missing_key_is_400() =>
        await ShouldBeProblem(await PostRaw("/api/v1/set", "{\"value\": \"v\"}"), HttpStatusCode.BadRequest, "key is required");

    [Fact]
    public async Task a_missing_value_is_400() =>
        await ShouldBeProblem(await PostRaw("/api/v1/set", "{\"key\": \"k\"}"), HttpStatusCode.BadRequest, "value is required");

    [Fact]
    public async Task an_empty_key_is_400() =>
        await ShouldBeProblem(await _http.SetAsync("", "v"), HttpStatusCode.BadRequest, "must not be empty");

    [Fact]
    public async Task an_empty_key_in_the_path_is_400() =>
        await ShouldBeProblem(await _http.GetAsync(new Uri("/api/v1/get/", UriKind.Relative)), HttpStatusCode.BadRequest, "must not be empty");

    [Fact]
    public async Task a_key_over_1024_utf8_bytes_is_400()
    {
        (await _http.SetAsync(new string('k', 1024), "v")).StatusCode.ShouldBe(HttpStatusCode.OK);
        await ShouldBeProblem(await _http.SetAsync(new string('k', 1025), "v"), HttpStatusCode.BadRequest, "1025 bytes");
        await ShouldBeProblem(await _http.SetAsync(string.Concat(Enumerable.Repeat("€", 342)), "v"), HttpStatusCode.BadRequest, "1026 bytes");
        await ShouldBeProblem(await _http.GetAsync(Json.KeyPath("get", new string('k', 1025))), HttpStatusCode.BadRequest, "1025 bytes");
    }

    [Fact]
    public async Task a_lone_surrogate_key_is_400() =>
        await ShouldBeProblem(await PostRaw("/api/v1/set", "{\"key\": \"a\\ud800\", \"value\": \"v\"}"), HttpStatusCode.BadRequest, "key must be valid Unicode text");

    [Fact]
    public async Task a_value_over_1_mib_is_413_and_exactly_1_mib_is_accepted()
    {
        (await _http.SetAsync("big", new string('v', 1024 * 1024))).StatusCode.ShouldBe(HttpStatusCode.OK);
        await ShouldBeProblem(await _http.SetAsync("big", new string('v', (1024 * 1024) + 1)), HttpStatusCode.RequestEntityTooLarge, "1 MiB");
        (await (await _http.GetAsync(Json.KeyPath("get", "big"))).BodyAsync<NodeNomad.Contracts.KeyValue>()).Value.Length.ShouldBe(1024 * 1024);
    }

    [Theory]
    [InlineData(0L, "positive")]
    [InlineData(-5L, "positive")]
    [InlineData(400_000_000L, "ten years")]
    [InlineData(long.MaxValue, "ten years")]
    public async Task a_bad_ttl_is_400(long ttl, string reason) =>
        await ShouldBeProblem(await _http.SetAsync("t", "v", ttl), HttpStatusCode.BadRequest, reason);

    [Fact]
    public async Task a_negative_expected_version_is_400() =>
        await ShouldBeProblem(await _http.PostAsJsonAsync("/api/v1/cas", new { key = "k", expectedVersion = -1, value = "v" }), HttpStatusCode.BadRequest, "expectedVersion");

    [Fact]
    public async Task an_unknown_route_is_a_404_problem()
    {
        var response = await _http.GetAsync(new Uri("/api/v1/nothing-here", UriKind.Relative));
        response.StatusCode.ShouldBe(HttpStatusCode.NotFound);
        (await response.ProblemAsync()).GetProperty("status").GetInt32().ShouldBe(404);
    }

    [Fact]
    public async Task a_wrong_method_is_a_405_problem()
    {
        var response = await _http.GetAsync(new Uri("/api/v1/set", UriKind.Relative));
        response.StatusCode.ShouldBe(HttpStatusCode.MethodNotAllowed);
        (await response.ProblemAsync()).GetProperty("status").GetInt32().ShouldBe(405);
    }

    [Theory]
    [InlineData("limit=0")]
    [InlineData("limit=1001")]
    [InlineData("limit=ten")]
    public async Task a_bad_page_limit_is_400(string query) =>
        await ShouldBeProblem(await _http.GetAsync(new Uri($"/api/v1/keys?{query}", UriKind.Relative)), HttpStatusCode.BadRequest, "limit");

    [Fact]
    public async Task an_unknown_consistency_is_400() =>
        await ShouldBeProblem(await _http.GetAsync(new Uri("/api/v1/get/k?consistency=eventual", UriKind.Relative)), HttpStatusCode.BadRequest, "consistency");

    [Theory]
    [InlineData("/api/v1/get/bad%zzescape")]
    [InlineData("/api/v1/get/truncated%4")]
    [InlineData("/api/v1/get/not-utf8%ff%fe")]
    public async Task a_key_with_broken_percent_encoding_is_400(string path) =>
        await ShouldBeProblem(await _http.GetAsync(new Uri(path, UriKind.Relative)), HttpStatusCode.BadRequest, "percent-encoded UTF-8");
}
