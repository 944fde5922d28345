using System.Collections.Concurrent;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace NodeNomad.Client.Tests;

/// <summary>A configured API key goes out as <c>Authorization: Bearer</c> on every call of either client; none goes out without one.</summary>
public sealed class ApiKeysAreSentAsBearerTokens
{
    private const string Key = "nn_0123456789abcdefghijklmnopqrstuvwxyzABCDEFG";

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task the_registered_client_sends_its_api_key()
    {
        var node = new FakeNode().AnswersJson(Answers.Value("k"));
        var services = new ServiceCollection();
        services.AddNodeNomadClient(options =>
        {
            options.BaseAddress = FakeNode.Address;
            options.ApiKey = Key;
        }).ConfigurePrimaryHttpMessageHandler(() => node);
        await using var provider = services.BuildServiceProvider();

        await provider.GetRequiredService<NodeNomadClient>().GetAsync("k", Ct);

        node.LastRequest.Authorization.ShouldBe($"Bearer {Key}");
    }

    [Fact]
    public async Task without_an_api_key_no_credential_is_sent()
    {
        var node = new FakeNode().AnswersJson(Answers.Value("k"));
        var services = new ServiceCollection();
        services.AddNodeNomadClient(options => options.BaseAddress = FakeNode.Address).ConfigurePrimaryHttpMessageHandler(() => node);
        await using var provider = services.BuildServiceProvider();

        await provider.GetRequiredService<NodeNomadClient>().GetAsync("k", Ct);

        node.LastRequest.Authorization.ShouldBeNull();
    }

    [Fact]
    public void an_api_key_that_cannot_travel_in_a_header_fails_when_the_client_is_resolved()
    {
        var services = new ServiceCollection();
        services.AddNodeNomadClient(options =>
        {
            options.BaseAddress = FakeNode.Address;
            options.ApiKey = "has a space";
        });
        using var provider = services.BuildServiceProvider();

        Should.Throw<OptionsValidationException>(() => provider.GetRequiredService<NodeNomadClient>()).Message.ShouldContain("ApiKey");
    }

    [Fact]
    public async Task the_cluster_client_sends_its_api_key_to_every_node_it_calls()
    {
        var cluster = new FakeCluster(nodes: 3, shardCount: 3);
        var seen = new ConcurrentQueue<string?>();
        var services = new ServiceCollection();
        services.AddNodeNomadClusterClient(options =>
        {
            options.Seeds.Add(FakeCluster.UrlOf("node-1"));
            options.ApiKey = Key;
        }).ConfigurePrimaryHttpMessageHandler(() => new Recording(cluster, seen));
        await using var provider = services.BuildServiceProvider();
        var client = provider.GetRequiredService<NodeNomadClusterClient>();

        foreach (var key in new[] { "a", "b", "c", "d" })
        {
            await client.SetAsync(key, "v", cancellationToken: Ct);
        }

        seen.Count.ShouldBeGreaterThan(4, "the shard map was read too");
        seen.ShouldAllBe(header => header == $"Bearer {Key}");
    }

    private sealed class Recording(HttpMessageHandler inner, ConcurrentQueue<string?> seen) : DelegatingHandler(inner)
    {
        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            seen.Enqueue(request.Headers.Authorization?.ToString());
            return base.SendAsync(request, cancellationToken);
        }
    }
}

/// <summary>The key management routes, through the typed client.</summary>
public sealed class ApiKeyManagementCalls
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task creating_a_key_posts_its_name_and_scopes_and_returns_the_token()
    {
        var node = new FakeNode().AnswersJson("""{"id":"key-1","name":"svc","scopes":["read","write"],"created":"2026-01-01T00:00:00+00:00","token":"nn_abc"}""", System.Net.HttpStatusCode.Created);

        var created = await node.Client().CreateApiKeyAsync("svc", ["read", "write"], Ct);

        created.Token.ShouldBe("nn_abc");
        node.LastRequest.Method.ShouldBe(HttpMethod.Post);
        node.LastRequest.Uri.AbsolutePath.ShouldBe("/api/v1/admin/keys");
        node.LastRequest.Body.ShouldBe("""{"name":"svc","scopes":["read","write"]}""");
    }

    [Fact]
    public async Task revoking_an_unknown_key_throws_with_the_node_s_reason()
    {
        var node = new FakeNode().AnswersProblem(System.Net.HttpStatusCode.NotFound, new { title = "No such API key", status = 404, detail = "There is no API key key-9." });

        var error = await Should.ThrowAsync<NodeNomadException>(() => node.Client().RevokeApiKeyAsync("key-9", Ct));

        error.Message.ShouldContain("key-9");
        node.LastRequest.Method.ShouldBe(HttpMethod.Delete);
        node.LastRequest.Uri.AbsolutePath.ShouldBe("/api/v1/admin/keys/key-9");
    }
}
