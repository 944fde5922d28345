using System.Collections.Concurrent;
using System.Net;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using NodeNomad.Console.Cluster;

namespace NodeNomad.Console.Tests.Hosting;

/// <summary>The console's calls to the nodes carry <c>CLUSTER_API_KEY</c> as their bearer token.</summary>
public sealed class ApiKeyToNodesTests
{
    private const string Key = "nn_console-test-key-0123456789abcdefghijklmnop";

    [Fact]
    public async Task every_call_to_a_node_carries_the_configured_api_key()
    {
        var seen = new ConcurrentQueue<string?>();
        await using var console = new WebApplicationFactory<Program>().WithWebHostBuilder(builder =>
        {
            builder.UseSetting(ConsoleOptions.AdminPasswordKey, ConsoleHost.Password);
            builder.UseSetting(ConsoleOptions.ClusterUrlsKey, "http://node-1.test:3001");
            builder.UseSetting(ConsoleOptions.ApiKeyKey, Key);
            builder.UseEnvironment("Production");
            builder.ConfigureServices(services => services.AddHttpClient(nameof(ClusterConnection))
                .ConfigurePrimaryHttpMessageHandler(() => new Recording(seen)));
        });

        var connection = console.Services.GetRequiredService<ClusterConnection>();
        try
        {
            await connection.CallAsync((client, ct) => client.GetNodesAsync(ct), TestContext.Current.CancellationToken);
        }
        catch (Client.NodeNomadException)
        {
            // The fake node refuses every call; what matters is what the call carried.
        }

        seen.ShouldNotBeEmpty();
        seen.ShouldAllBe(header => header == $"Bearer {Key}");
    }

    [Fact]
    public void an_api_key_that_cannot_travel_in_a_header_stops_the_console_with_the_reason()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            [ConsoleOptions.AdminPasswordKey] = "x",
            [ConsoleOptions.ApiKeyKey] = "two words",
        }).Build();

        ConsoleOptions.Read(configuration, out var problems);

        problems.ShouldHaveSingleItem().ShouldContain(ConsoleOptions.ApiKeyKey);
    }

    [Fact]
    public void without_a_key_of_its_own_the_console_sends_the_nodes_admin_token()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            [ConsoleOptions.AdminPasswordKey] = "x",
            [ConsoleOptions.AdminTokenKey] = "admin-token-from-the-environment-0123456789",
        }).Build();

        ConsoleOptions.Read(configuration, out var problems).ApiKey.ShouldBe("admin-token-from-the-environment-0123456789");
        problems.ShouldBeEmpty();
    }

    private sealed class Recording(ConcurrentQueue<string?> seen) : HttpMessageHandler
    {
        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            seen.Enqueue(request.Headers.Authorization?.ToString());
            return Task.FromResult(new HttpResponseMessage(HttpStatusCode.Unauthorized) { RequestMessage = request });
        }
    }
}
