using System.Net;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Http.Resilience;
using Microsoft.Extensions.Options;

namespace NodeNomad.Client.Tests;

public sealed class Registration
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task the_registered_client_resolves_and_calls_the_configured_address()
    {
        var node = new FakeNode().AnswersJson(Answers.Value("k"));
        await using var provider = Provider(node, new Uri("http://node-7.test:3007"));

        var client = provider.GetRequiredService<NodeNomadClient>();
        var value = await client.GetAsync("k", Ct);

        value.ShouldNotBeNull().Value.ShouldBe("v");
        node.LastRequest.Uri.ShouldBe(new Uri("http://node-7.test:3007/api/v1/get/k"));
    }

    [Fact]
    public void the_raw_api_resolves_too()
    {
        using var provider = Provider(new FakeNode(), FakeNode.Address);

        provider.GetRequiredService<INodeNomadApi>().ShouldNotBeNull();
    }

    [Fact]
    public void a_missing_base_address_fails_when_the_client_is_resolved()
    {
        var services = new ServiceCollection();
        services.AddNodeNomadClient(_ => { });
        using var provider = services.BuildServiceProvider();

        var error = Should.Throw<OptionsValidationException>(() => provider.GetRequiredService<NodeNomadClient>());

        error.Message.ShouldContain("BaseAddress");
    }

    [Fact]
    public void a_timeout_under_a_second_fails_when_the_client_is_resolved()
    {
        var services = new ServiceCollection();
        services.AddNodeNomadClient(options =>
        {
            options.BaseAddress = FakeNode.Address;
            options.Timeout = TimeSpan.FromMilliseconds(500);
        });
        using var provider = services.BuildServiceProvider();

        var error = Should.Throw<OptionsValidationException>(() => provider.GetRequiredService<NodeNomadClient>());

        error.Message.ShouldContain("Timeout");
    }

    [Fact]
    public void the_timeout_bounds_the_whole_call_and_each_attempt()
    {
        var resilience = new HttpStandardResilienceOptions();

        ServiceCollectionExtensions.ApplyTo(resilience, new NodeNomadClientOptions { Timeout = TimeSpan.FromSeconds(4) });

        resilience.TotalRequestTimeout.Timeout.ShouldBe(TimeSpan.FromSeconds(4));
        resilience.AttemptTimeout.Timeout.ShouldBe(TimeSpan.FromSeconds(4));
    }

    [Fact]
    public void a_long_timeout_keeps_attempts_at_ten_seconds()
    {
        var resilience = new HttpStandardResilienceOptions();

        ServiceCollectionExtensions.ApplyTo(resilience, new NodeNomadClientOptions { Timeout = TimeSpan.FromMinutes(2) });

        resilience.TotalRequestTimeout.Timeout.ShouldBe(TimeSpan.FromMinutes(2));
        resilience.AttemptTimeout.Timeout.ShouldBe(TimeSpan.FromSeconds(10));
    }

    [Fact]
    public async Task a_read_that_meets_a_503_is_retried()
    {
        var node = new FakeNode()
            .AnswersProblem(HttpStatusCode.ServiceUnavailable, new { title = "No leader", status = 503 })
            .AnswersJson(Answers.Value("k"));
        await using var provider = Provider(node, FakeNode.Address, retryAtOnce: true);

        var value = await provider.GetRequiredService<NodeNomadClient>().GetAsync("k", Ct);

        value.ShouldNotBeNull();
        node.Requests.Count.ShouldBe(2);
    }

    [Fact]
    public async Task a_write_that_meets_a_503_is_not_retried()
    {
        var node = new FakeNode()
            .AnswersProblem(HttpStatusCode.ServiceUnavailable, new { title = "No leader", status = 503 })
            .AnswersJson(Answers.Written);
        await using var provider = Provider(node, FakeNode.Address, retryAtOnce: true);
        var client = provider.GetRequiredService<NodeNomadClient>();

        await Should.ThrowAsync<ClusterUnavailableException>(() => client.CompareAndSetAsync("k", 1, "v", cancellationToken: Ct));

        node.Requests.Count.ShouldBe(1);
    }

    [Fact]
    public async Task a_write_whose_connection_dropped_after_sending_is_not_retried()
    {
        var dropped = new HttpRequestException(HttpRequestError.ResponseEnded, "The response ended prematurely.");
        var node = new FakeNode().Throws(dropped).AnswersJson(Answers.Written);
        await using var provider = Provider(node, FakeNode.Address, retryAtOnce: true);
        var client = provider.GetRequiredService<NodeNomadClient>();

        await Should.ThrowAsync<HttpRequestException>(() => client.SetAsync("k", "v", cancellationToken: Ct));

        node.Requests.Count.ShouldBe(1);
    }

    [Fact]
    public async Task a_write_whose_connection_was_refused_is_retried()
    {
        var refused = new HttpRequestException(HttpRequestError.ConnectionError, "Connection refused");
        var node = new FakeNode().Throws(refused).AnswersJson(Answers.Written);
        await using var provider = Provider(node, FakeNode.Address, retryAtOnce: true);

        var result = await provider.GetRequiredService<NodeNomadClient>().SetAsync("k", "v", cancellationToken: Ct);

        result.Version.ShouldBe(7);
        node.Requests.Count.ShouldBe(2);
    }

    [Fact]
    public async Task a_health_probe_answering_503_is_not_retried()
    {
        var node = new FakeNode().AnswersJson("""{"status":"Unhealthy","checks":[]}""", HttpStatusCode.ServiceUnavailable);
        await using var provider = Provider(node, FakeNode.Address, retryAtOnce: true);

        var health = await provider.GetRequiredService<NodeNomadClient>().GetHealthAsync(Ct);

        health.Status.ShouldBe(NodeHealthStatus.Unhealthy);
        node.Requests.Count.ShouldBe(1);
    }

    private static ServiceProvider Provider(FakeNode node, Uri address, bool retryAtOnce = false)
    {
        var services = new ServiceCollection();
        var builder = services
            .AddNodeNomadClient(options => options.BaseAddress = address)
            .ConfigurePrimaryHttpMessageHandler(() => node);
        if (retryAtOnce)
        {
            // The standard pipeline's options are named after the client; waiting seconds between attempts
            // would only slow the tests down.
            services.PostConfigure<HttpStandardResilienceOptions>(
                $"{builder.Name}-standard",
                options => options.Retry.Delay = TimeSpan.Zero);
        }

        return services.BuildServiceProvider();
    }
}
