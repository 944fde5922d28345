using System.Net;
using Microsoft.Extensions.Configuration;
using NodeNomad.Node.Configuration;

namespace NodeNomad.Node.Tests;

/// <summary>Replicas of one service share their settings: <c>NODE_ID_FROM</c> gives each its id and addresses from its host.</summary>
public sealed class NodeIdFromHostTests
{
    private static readonly IPAddress Self = IPAddress.Parse("172.18.0.5");

    private static (NodeOptions Options, IReadOnlyList<string> Failures) Load(Dictionary<string, string?> settings, IHostLookup lookup)
    {
        // Replicas of a service join through seeds: the nodes CLUSTER_NODES lists, which are not these.
        settings.TryAdd("CLUSTER_NODES", "seed-1=seed-1:4001");
        settings.TryAdd("CLUSTER_SECRET", "a-secret-of-sixteen-chars");
        var options = new NodeOptions();
        options.Bind(new ConfigurationBuilder().AddInMemoryCollection(settings).Build());
        HostIdentity.Apply(options, lookup);
        var result = new NodeOptionsValidator().Validate(null, options);
        return (options, result.Failures?.ToList() ?? []);
    }

    [Fact]
    public void without_node_id_from_the_id_and_addresses_stay_as_before()
    {
        var (options, failures) = Load(new() { ["NODE_HOST"] = "0.0.0.0" }, new FakeHost("c0ffee", []));
        failures.ShouldBeEmpty();
        options.NodeId.ShouldBe("node-1");
        options.EffectiveUrl.ShouldBe("http://localhost:3001");
        options.AdvertisedPeerAddress.ShouldBe("node-1:4001");
    }

    [Fact]
    public void hostname_gives_a_pod_its_name_as_id_and_peer_host()
    {
        var (options, failures) = Load(new() { ["NODE_ID_FROM"] = "hostname", ["NODE_HOST"] = "0.0.0.0" }, new FakeHost("nodenomad-2", []));
        failures.ShouldBeEmpty();
        options.NodeId.ShouldBe("nodenomad-2");
        options.AdvertisedPeerAddress.ShouldBe("nodenomad-2:4001");
        options.EffectiveUrl.ShouldBe("http://nodenomad-2:3001");
    }

    [Fact]
    public void hostname_takes_the_first_label_as_id_and_keeps_a_configured_peer_host_and_url()
    {
        var (options, failures) = Load(
            new()
            {
                ["NODE_ID_FROM"] = "hostname",
                ["NODE_HOST"] = "0.0.0.0",
                ["PEER_HOST"] = "nodenomad-0.nodenomad-peers",
                ["NODE_URL"] = "http://nodenomad-0.nodenomad-peers:3001",
            },
            new FakeHost("nodenomad-0.cluster.local", []));
        failures.ShouldBeEmpty();
        options.NodeId.ShouldBe("nodenomad-0");
        options.AdvertisedPeerAddress.ShouldBe("nodenomad-0.nodenomad-peers:4001");
        options.EffectiveUrl.ShouldBe("http://nodenomad-0.nodenomad-peers:3001");
    }

    [Fact]
    public void a_configured_node_id_wins_over_node_id_from()
    {
        var (options, failures) = Load(new() { ["NODE_ID_FROM"] = "hostname", ["NODE_ID"] = "node-7" }, new FakeHost("c0ffee", []));
        failures.ShouldBeEmpty();
        options.NodeId.ShouldBe("node-7");
        options.EffectiveUrl.ShouldBe("http://localhost:3001");
    }

    [Fact]
    public void an_empty_node_id_counts_as_unset_beside_node_id_from()
    {
        var (options, failures) = Load(new() { ["NODE_ID_FROM"] = "hostname", ["NODE_ID"] = "" }, new FakeHost("c0ffee", []));
        failures.ShouldBeEmpty();
        options.NodeId.ShouldBe("c0ffee");
    }

    [Fact]
    public void dns_gives_a_compose_replica_the_number_of_the_name_that_resolves_to_it()
    {
        var host = new FakeHost("3f2a9c1b7d00", new()
        {
            ["3f2a9c1b7d00"] = [Self],
            ["nodenomad-node-1"] = [IPAddress.Parse("172.18.0.3")],
            ["nodenomad-node-2"] = [IPAddress.Parse("172.18.0.4")],
            ["nodenomad-node-3"] = [Self],
            ["nodenomad-node-4"] = [IPAddress.Parse("172.18.0.6")],
        });
        var (options, failures) = Load(new() { ["NODE_ID_FROM"] = "dns:nodenomad-node-{n}", ["NODE_HOST"] = "0.0.0.0", ["PEER_PORT"] = "4001" }, host);
        failures.ShouldBeEmpty();
        options.NodeId.ShouldBe("node-3");
        options.AdvertisedPeerAddress.ShouldBe("nodenomad-node-3:4001");
        options.EffectiveUrl.ShouldBe("http://nodenomad-node-3:3001");
    }

    [Fact]
    public void dns_finds_a_replica_whose_lower_numbers_do_not_resolve_yet()
    {
        var host = new FakeHost("c0ffee", new() { ["c0ffee"] = [Self], ["nodenomad-node-5"] = [Self] });
        var (options, failures) = Load(new() { ["NODE_ID_FROM"] = "dns:nodenomad-node-{n}" }, host);
        failures.ShouldBeEmpty();
        options.NodeId.ShouldBe("node-5");
    }

    [Fact]
    public void dns_with_a_replica_listed_in_cluster_nodes_takes_its_listed_address()
    {
        var host = new FakeHost("c0ffee", new() { ["c0ffee"] = [Self], ["nodenomad-node-2"] = [Self] });
        var (options, failures) = Load(
            new()
            {
                ["NODE_ID_FROM"] = "dns:nodenomad-node-{n}",
                ["NODE_HOST"] = "0.0.0.0",
                ["CLUSTER_NODES"] = "node-1=nodenomad-node-1:4001,node-2=nodenomad-node-2:4001,node-3=nodenomad-node-3:4001",
            },
            host);
        failures.ShouldBeEmpty();
        options.NodeId.ShouldBe("node-2");
        options.EffectivePeerPort.ShouldBe(4001);
        options.AdvertisedPeerAddress.ShouldBe("nodenomad-node-2:4001");
    }

    [Theory]
    [InlineData("hostname", "bad name!", "does not make a node id")]
    [InlineData("dns:nodenomad-node", "c0ffee", "with {n} where the replica's number goes")]
    [InlineData("dns:nodenomad-node-{n}", "c0ffee", "none of the names for 1 to 64 resolves")]
    [InlineData("dns:nodenomad-node-{n}", "lonely", "resolves to no address other than loopback")]
    [InlineData("container", "c0ffee", "must be 'hostname' or 'dns:'")]
    public void a_host_that_gives_no_id_stops_the_node_with_the_reason(string from, string hostName, string reason)
    {
        var host = new FakeHost(hostName, new() { ["c0ffee"] = [Self], ["lonely"] = [IPAddress.Loopback] });
        var (_, failures) = Load(new() { ["NODE_ID_FROM"] = from }, host);
        failures.ShouldContain(f => f.Contains(reason, StringComparison.Ordinal));
    }

    [Fact]
    public void a_peer_host_that_is_no_host_name_is_refused()
    {
        var (_, failures) = Load(new() { ["PEER_HOST"] = "not a host" }, new FakeHost("c0ffee", []));
        failures.ShouldContain(f => f.Contains("PEER_HOST='not a host'", StringComparison.Ordinal));
    }

    private sealed class FakeHost(string hostName, Dictionary<string, IPAddress[]> names) : IHostLookup
    {
        public string HostName => hostName;

        public IReadOnlyList<IPAddress> Addresses(string name) => names.GetValueOrDefault(name) ?? [];
    }
}
