using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using NodeNomad.Node.Transport;

namespace NodeNomad.Node.Tests.Transport;

/// <summary>The peer port speaks HTTP/2 only, its endpoints want the cluster secret, and they stay off the client port.</summary>
public sealed class PeerPortTests : IAsyncLifetime
{
    private readonly HttpClient _h2c = new() { DefaultRequestVersion = HttpVersion.Version20, DefaultVersionPolicy = HttpVersionPolicy.RequestVersionExact };
    private PeerHost _host = null!;

    public async ValueTask InitializeAsync() => _host = await PeerHost.StartAsync();

    public async ValueTask DisposeAsync()
    {
        _h2c.Dispose();
        await _host.DisposeAsync();
    }

    private Task<HttpResponseMessage> PingAsync(Uri server, string? secret, HttpClient? client = null)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, new Uri(server, RaftTransportEndpoints.PingPath))
        {
            Version = (client ?? _h2c).DefaultRequestVersion,
            VersionPolicy = HttpVersionPolicy.RequestVersionExact,
        };
        if (secret is not null)
        {
            request.Headers.Authorization = new("Bearer", secret);
        }

        return (client ?? _h2c).SendAsync(request, TestContext.Current.CancellationToken);
    }

    [Fact]
    public async Task a_ping_with_the_secret_answers_pong()
    {
        using var response = await PingAsync(_host.PeerUri, PeerHost.Secret);

        response.StatusCode.ShouldBe(HttpStatusCode.OK);
        response.Version.ShouldBe(HttpVersion.Version20);
        (await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken)).ShouldBe("pong");
    }

    [Theory]
    [InlineData(null)]
    [InlineData("wrong")]
    [InlineData("s3cret-of-the-cluster-and-more")]
    public async Task a_request_without_the_secret_is_401_problem(string? secret)
    {
        using var response = await PingAsync(_host.PeerUri, secret);

        response.StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
        response.Content.Headers.ContentType?.MediaType.ShouldBe("application/problem+json");
        response.Headers.WwwAuthenticate.ShouldHaveSingleItem().Scheme.ShouldBe("Bearer");
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>(TestContext.Current.CancellationToken);
        problem.GetProperty("status").GetInt32().ShouldBe(401);
    }

    [Fact]
    public async Task an_http11_request_to_the_peer_port_is_refused()
    {
        using var http11 = new HttpClient { DefaultRequestVersion = HttpVersion.Version11, DefaultVersionPolicy = HttpVersionPolicy.RequestVersionExact };

        using var response = await PingAsync(_host.PeerUri, PeerHost.Secret, http11);

        // Kestrel answers the HTTP/1.x preface itself and closes the connection; no endpoint runs.
        response.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        response.Headers.ConnectionClose.ShouldNotBeNull().ShouldBeTrue();
        (await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken)).ShouldContain("HTTP/2 only endpoint");
    }

    [Fact]
    public async Task the_raft_endpoints_are_not_served_on_the_client_port_whatever_the_host_header()
    {
        using var http11 = new HttpClient();
        var request = new HttpRequestMessage(HttpMethod.Get, new Uri(_host.ClientUri, RaftTransportEndpoints.PingPath));
        request.Headers.Authorization = new("Bearer", PeerHost.Secret);
        request.Headers.Host = $"127.0.0.1:{_host.PeerPort}";

        using var response = await http11.SendAsync(request, TestContext.Current.CancellationToken);

        response.StatusCode.ShouldBe(HttpStatusCode.NotFound);
        (await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken)).ShouldNotContain("pong");
    }

    [Fact]
    public async Task the_client_port_still_serves_its_own_endpoints()
    {
        using var http11 = new HttpClient();

        (await http11.GetStringAsync(new Uri(_host.ClientUri, "/api/v1/hello"), TestContext.Current.CancellationToken)).ShouldBe("hello");
    }
}
