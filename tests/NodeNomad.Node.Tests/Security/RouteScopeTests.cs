using System.Net;
using System.Text;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using NodeNomad.Contracts;
using NodeNomad.Node.Security;

namespace NodeNomad.Node.Tests.Security;

/// <summary>
/// Every route of the client API, read from the node's own endpoints (so a route added later is covered without
/// being listed here): once credentials are enforced, a mutating route refuses an anonymous caller (401) and a
/// read-only key (403), and a write key reaches the key-value writes but no admin route.
/// </summary>
public sealed class RouteScopeTests : IAsyncLifetime
{
    private readonly NodeFactory _node = new(new() { [ClientAccessOptions.Keys.AdminToken] = SecuredNode.AdminToken });
    private HttpClient _admin = null!;
    private string _readToken = null!;
    private string _writeToken = null!;

    public async ValueTask InitializeAsync()
    {
        _admin = SecuredNode.Authorize(_node.CreateClient(), SecuredNode.AdminToken);
        _readToken = (await SecuredNode.CreateKeyAsync(_admin, "reader", ApiScopes.Read)).Token;
        _writeToken = (await SecuredNode.CreateKeyAsync(_admin, "writer", ApiScopes.Read, ApiScopes.Write)).Token;
    }

    public ValueTask DisposeAsync()
    {
        _node.Dispose();
        return ValueTask.CompletedTask;
    }

    /// <summary>The client API's routes that change something: every method but GET and HEAD, peer routes left out.</summary>
    private List<(string Method, string Path, RouteEndpoint Endpoint)> MutatingRoutes()
    {
        var routes = _node.Services.GetRequiredService<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>()
            .Where(e => e.RoutePattern.RawText is { } raw && !raw.StartsWith("/raft", StringComparison.Ordinal) && !raw.StartsWith("/peer", StringComparison.Ordinal))
            .SelectMany(e => (e.Metadata.GetMetadata<HttpMethodMetadata>()?.HttpMethods ?? []).Select(m => (Method: m, Path: Concrete(e.RoutePattern.RawText!), Endpoint: e)))
            .Where(r => r.Method is not ("GET" or "HEAD"))
            .ToList();
        routes.Count.ShouldBeGreaterThan(10, "the node's endpoints were found");
        return routes;
    }

    private static string Concrete(string pattern)
    {
        var path = new StringBuilder();
        foreach (var segment in pattern.Split('/'))
        {
            path.Append(segment.StartsWith('{') ? (segment.Contains("shard", StringComparison.Ordinal) ? "0" : "some-id") : segment).Append('/');
        }

        return "/" + path.ToString().Trim('/');
    }

    private async Task<HttpResponseMessage> CallAsync(string? token, string method, string path)
    {
        var http = SecuredNode.Authorize(_node.CreateClient(), token);
        using var request = new HttpRequestMessage(new HttpMethod(method), path)
        {
            Content = new StringContent("{\"key\":\"k\",\"value\":\"v\",\"expectedVersion\":0,\"name\":\"n\",\"scopes\":[\"read\"]}", Encoding.UTF8, "application/json"),
        };
        return await http.SendAsync(request);
    }

    private static bool IsKeyValueWrite(string path) =>
        !path.StartsWith("/api/v1/cluster", StringComparison.Ordinal) && !path.StartsWith("/api/v1/admin", StringComparison.Ordinal) && path.StartsWith("/api/v1/", StringComparison.Ordinal);

    [Fact]
    public async Task every_mutating_route_refuses_an_anonymous_caller_with_401_and_a_bearer_challenge()
    {
        foreach (var (method, path, _) in MutatingRoutes())
        {
            using var response = await CallAsync(null, method, path);
            response.StatusCode.ShouldBe(HttpStatusCode.Unauthorized, $"{method} {path}");
            response.Headers.WwwAuthenticate.ToString().ShouldStartWith("Bearer", customMessage: $"{method} {path}");
            (await response.ProblemAsync()).GetProperty("status").GetInt32().ShouldBe(401);
        }
    }

    [Fact]
    public async Task every_mutating_route_refuses_a_read_key_with_403_naming_the_scope_needed()
    {
        foreach (var (method, path, _) in MutatingRoutes())
        {
            using var response = await CallAsync(_readToken, method, path);
            response.StatusCode.ShouldBe(HttpStatusCode.Forbidden, $"{method} {path}");
            var problem = await response.ProblemAsync();
            problem.GetProperty("requiredScope").GetString().ShouldBe(IsKeyValueWrite(path) ? ApiScopes.Write : ApiScopes.Admin, $"{method} {path}");
            problem.GetProperty("detail").GetString()!.ShouldContain("needs the '");
        }
    }

    [Fact]
    public async Task a_write_key_reaches_the_key_value_writes_and_no_admin_route()
    {
        var routes = MutatingRoutes();
        routes.ShouldContain(r => IsKeyValueWrite(r.Path));
        foreach (var (method, path, _) in routes)
        {
            using var response = await CallAsync(_writeToken, method, path);
            if (IsKeyValueWrite(path))
            {
                response.StatusCode.ShouldNotBeOneOf([HttpStatusCode.Unauthorized, HttpStatusCode.Forbidden], $"{method} {path}");
                ((int)response.StatusCode).ShouldBeLessThan(500, $"{method} {path}");
            }
            else
            {
                response.StatusCode.ShouldBe(HttpStatusCode.Forbidden, $"{method} {path}");
            }
        }

        using var written = await CallAsync(_writeToken, "POST", "/api/v1/set");
        written.StatusCode.ShouldBe(HttpStatusCode.OK);
    }

    [Fact]
    public async Task the_admin_token_passes_every_mutating_route_and_no_answer_is_a_server_error()
    {
        foreach (var (method, path, _) in MutatingRoutes())
        {
            using var response = await CallAsync(SecuredNode.AdminToken, method, path);
            response.StatusCode.ShouldNotBeOneOf([HttpStatusCode.Unauthorized, HttpStatusCode.Forbidden], $"{method} {path}");
            ((int)response.StatusCode).ShouldBeLessThan(500, $"{method} {path}");
        }
    }

    [Fact]
    public async Task every_read_route_refuses_an_anonymous_caller_and_serves_a_read_key()
    {
        using var anonymous = await CallAsync(null, "GET", "/api/v1/cluster/info");
        anonymous.StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
        using var read = await CallAsync(_readToken, "GET", "/api/v1/cluster/info");
        read.StatusCode.ShouldBe(HttpStatusCode.OK);
        using var metrics = await CallAsync(null, "GET", "/metrics");
        metrics.StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
    }

    [Fact]
    public async Task every_endpoint_of_the_client_api_states_its_scope()
    {
        var unstated = _node.Services.GetRequiredService<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>()
            .Where(e => e.RoutePattern.RawText!.StartsWith("/api", StringComparison.Ordinal) && e.Metadata.GetMetadata<RequiredScope>() is null)
            .Select(e => e.RoutePattern.RawText)
            .ToList();
        unstated.ShouldBeEmpty("a route without a stated scope needs admin; say which it needs");
    }

    [Theory]
    [InlineData("/health/live")]
    [InlineData("/health/ready")]
    public async Task health_stays_open_to_anyone(string path)
    {
        using var response = await CallAsync(null, "GET", path);
        ((int)response.StatusCode).ShouldNotBe(401);
    }
}
