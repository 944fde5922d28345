using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using NodeNomad.Contracts;
using NodeNomad.Node.Security;

namespace NodeNomad.Node.Tests.Security;

/// <summary>Creating, listing and revoking API keys on a node started with a bootstrap admin token.</summary>
public sealed class ApiKeyManagementTests : IDisposable
{
    private readonly NodeFactory _node = new(new() { [ClientAccessOptions.Keys.AdminToken] = SecuredNode.AdminToken });

    public void Dispose() => _node.Dispose();

    private HttpClient As(string? token) => SecuredNode.Authorize(_node.CreateClient(), token);

    [Fact]
    public async Task a_created_key_answers_201_with_its_token_once_and_the_listing_shows_neither_token_nor_hash()
    {
        var created = await SecuredNode.CreateKeyAsync(As(SecuredNode.AdminToken), "nightly report", ApiScopes.Read);
        created.Token.ShouldStartWith(ApiTokens.Prefix);
        created.Token.Length.ShouldBeGreaterThan(40);
        created.Scopes.ShouldBe([ApiScopes.Read]);

        var listing = await As(SecuredNode.AdminToken).GetStringAsync("/api/v1/admin/keys");
        var keys = JsonDocument.Parse(listing).RootElement.EnumerateArray().ToList();
        var key = keys.ShouldHaveSingleItem();
        key.GetProperty("id").GetString().ShouldBe(created.Id);
        key.GetProperty("name").GetString().ShouldBe("nightly report");
        key.TryGetProperty("created", out _).ShouldBeTrue();
        listing.ShouldNotContain(created.Token);
        listing.ShouldNotContain(ApiTokens.Hash(created.Token));
        key.EnumerateObject().Select(p => p.Name).ShouldBe(["id", "name", "scopes", "created"], ignoreOrder: true);
    }

    [Fact]
    public async Task a_revoked_key_is_refused_with_401()
    {
        var admin = As(SecuredNode.AdminToken);
        var created = await SecuredNode.CreateKeyAsync(admin, "short-lived", ApiScopes.Read);
        (await As(created.Token).GetAsync("/api/v1/cluster/info")).StatusCode.ShouldBe(HttpStatusCode.OK);

        (await admin.DeleteAsync($"/api/v1/admin/keys/{created.Id}")).StatusCode.ShouldBe(HttpStatusCode.NoContent);

        using var refused = await As(created.Token).GetAsync("/api/v1/cluster/info");
        refused.StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
        refused.Headers.WwwAuthenticate.ToString().ShouldContain("invalid_token");
        (await admin.DeleteAsync($"/api/v1/admin/keys/{created.Id}")).StatusCode.ShouldBe(HttpStatusCode.NotFound);
    }

    [Theory]
    [InlineData("{\"scopes\":[\"read\"]}", "name")]
    [InlineData("{\"name\":\"x\",\"scopes\":[]}", "scopes")]
    [InlineData("{\"name\":\"x\",\"scopes\":[\"root\"]}", "scopes")]
    [InlineData("{\"name\":\"x\",\"scopes\":\"read\"}", "scopes")]
    [InlineData("{\"name\":", "Malformed")]
    public async Task a_bad_key_request_is_a_400_naming_what_is_wrong(string body, string named)
    {
        using var response = await As(SecuredNode.AdminToken).PostAsync("/api/v1/admin/keys", new StringContent(body, System.Text.Encoding.UTF8, "application/json"));
        response.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        (await response.ProblemAsync()).GetRawText().ShouldContain(named);
    }

    [Theory]
    [InlineData("Bearer nn_not-a-key")]
    [InlineData("Basic dXNlcjpwYXNz")]
    [InlineData("Bearer")]
    public async Task a_credential_that_is_no_key_is_a_401_problem(string header)
    {
        var http = _node.CreateClient();
        http.DefaultRequestHeaders.TryAddWithoutValidation("Authorization", header);
        using var response = await http.GetAsync("/api/v1/cluster/info");
        response.StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
        response.Headers.WwwAuthenticate.ToString().ShouldStartWith("Bearer");
        (await response.ProblemAsync()).GetProperty("title").GetString().ShouldBe("Unauthorized");
    }
}

/// <summary>What the node answers to a request no route serves, with credentials enforced: the same as without them.</summary>
public sealed class UnservedRequestTests : IDisposable
{
    private readonly NodeFactory _node = new(new() { [ClientAccessOptions.Keys.AdminToken] = SecuredNode.AdminToken });

    public void Dispose() => _node.Dispose();

    [Theory]
    [InlineData("GET", "/api/v1/set", 405)]
    [InlineData("GET", "/api/v1/nothing-here", 404)]
    public async Task an_unserved_request_is_told_so_without_a_credential(string method, string path, int status)
    {
        using var response = await _node.CreateClient().SendAsync(new HttpRequestMessage(new HttpMethod(method), path));
        ((int)response.StatusCode).ShouldBe(status);
        (await response.ProblemAsync()).GetProperty("status").GetInt32().ShouldBe(status);
    }
}

/// <summary>A loopback node without <c>ADMIN_TOKEN</c> is open until its first key exists, and closed from then on.</summary>
public sealed class LoopbackWithoutCredentialsTests : IDisposable
{
    private readonly NodeFactory _node = new();

    public void Dispose() => _node.Dispose();

    [Fact]
    public async Task every_route_is_open_until_a_key_is_created_then_credentials_are_enforced()
    {
        var anonymous = _node.CreateClient();
        (await anonymous.SetAsync("k", "v")).StatusCode.ShouldBe(HttpStatusCode.OK);

        var created = await SecuredNode.CreateKeyAsync(anonymous, "first", ApiScopes.Read, ApiScopes.Write, ApiScopes.Admin);

        (await anonymous.SetAsync("k", "v2")).StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
        (await SecuredNode.Authorize(_node.CreateClient(), created.Token).SetAsync("k", "v2")).StatusCode.ShouldBe(HttpStatusCode.OK);
    }
}
