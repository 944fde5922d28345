using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace NodeNomad.Client.Tests;

public sealed class ClusterClientRegistration
{
    [Fact]
    public async Task the_registered_cluster_client_is_one_shared_instance_that_routes_through_the_factory()
    {
        var cluster = new FakeCluster(nodes: 2, shardCount: 2);
        var services = new ServiceCollection();
        services.AddNodeNomadClusterClient(options => options.Seeds.Add(FakeCluster.UrlOf("node-2")))
            .ConfigurePrimaryHttpMessageHandler(() => cluster);
        await using var provider = services.BuildServiceProvider();

        var client = provider.GetRequiredService<NodeNomadClusterClient>();
        await client.SetAsync("k", "v", cancellationToken: TestContext.Current.CancellationToken);

        provider.GetRequiredService<NodeNomadClusterClient>().ShouldBeSameAs(client);
        cluster.RequestsFor("k").Single().NodeId.ShouldBe(cluster.ShardOf("k").LeaderId);
    }

    [Fact]
    public void no_seeds_fail_when_the_client_is_resolved_naming_the_option()
    {
        var services = new ServiceCollection();
        services.AddNodeNomadClusterClient(_ => { });
        using var provider = services.BuildServiceProvider();

        var error = Should.Throw<OptionsValidationException>(() => provider.GetRequiredService<NodeNomadClusterClient>());

        error.Message.ShouldContain("Seeds");
    }

    [Fact]
    public void an_attempt_timeout_of_zero_is_refused()
    {
        var options = new NodeNomadClusterClientOptions { AttemptTimeout = TimeSpan.Zero };
        options.Seeds.Add(FakeCluster.UrlOf("node-1"));

        Should.Throw<ArgumentException>(() => new NodeNomadClusterClient(new HttpClient(), options)).Message.ShouldContain("AttemptTimeout");
    }
}
