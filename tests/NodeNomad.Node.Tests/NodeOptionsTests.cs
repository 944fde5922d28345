using NodeNomad.Node.Configuration;

namespace NodeNomad.Node.Tests;

public sealed class NodeOptionsTests
{
    private static (NodeOptions Options, IReadOnlyList<string> Failures) Load(Dictionary<string, string?> settings) =>
        OptionsLoader.Load(settings);

    [Fact]
    public void defaults_serve_node_1_on_port_3001_with_data_under_data_node_1()
    {
        var (options, failures) = Load([]);
        failures.ShouldBeEmpty();
        options.NodeId.ShouldBe("node-1");
        options.Port.ShouldBe(3001);
        options.EffectiveUrl.ShouldBe("http://localhost:3001");
        options.EffectiveDataDir.ShouldBe(Path.GetFullPath(Path.Combine("data", "node-1")));
    }

    [Fact]
    public void environment_names_set_the_options()
    {
        var (options, failures) = Load(new() { ["NODE_ID"] = "n2", ["NODE_PORT"] = "4000", ["DATA_DIR"] = "/tmp/n2", ["NODE_HOST"] = "0.0.0.0" });
        failures.ShouldBeEmpty();
        options.NodeId.ShouldBe("n2");
        options.Port.ShouldBe(4000);
        options.EffectiveDataDir.ShouldBe("/tmp/n2");
        options.EffectiveUrl.ShouldBe("http://localhost:4000");
    }

    [Theory]
    [InlineData("NODE_PORT", "abc", "NODE_PORT='abc' is not a whole number")]
    [InlineData("NODE_PORT", "70000", "between 0 and 65535")]
    [InlineData("NODE_ID", "has space", "NODE_ID='has space'")]
    [InlineData("NODE_ID", "", "NODE_ID=''")]
    [InlineData("NODE_URL", "not a url", "not an absolute URL")]
    [InlineData("SNAPSHOT_ENTRIES", "1", "at least 2")]
    [InlineData("MAX_BATCH_ENTRIES", "0", "between 1 and 65536")]
    [InlineData("PURGE_INTERVAL_MS", "5", "between 10 and 3600000")]
    [InlineData("DOWN_AFTER", "soon", "DOWN_AFTER='soon' is not a duration")]
    [InlineData("DOWN_AFTER", "10ms", "between 1 s and 7 days")]
    [InlineData("PLACEMENT_INTERVAL_MS", "10", "between 100 and 3600000")]
    [InlineData("MAX_CONCURRENT_MOVES", "0", "between 1 and 64")]
    public void a_bad_value_is_reported_by_name(string key, string value, string reason)
    {
        var (_, failures) = Load(new() { [key] = value });
        failures.ShouldContain(f => f.Contains(reason, StringComparison.Ordinal));
    }

    [Theory]
    [InlineData(null, 300_000)]
    [InlineData("45000", 45_000)]
    [InlineData("30s", 30_000)]
    [InlineData("5m", 300_000)]
    [InlineData("1h", 3_600_000)]
    [InlineData("1500ms", 1_500)]
    public void down_after_takes_milliseconds_or_a_unit_and_defaults_to_five_minutes(string? value, long milliseconds)
    {
        var (options, failures) = Load(value is null ? [] : new() { ["DOWN_AFTER"] = value });
        failures.ShouldBeEmpty();
        options.DownAfterMs.ShouldBe(milliseconds);
    }

    [Fact]
    public void every_bad_value_is_reported_at_once()
    {
        var (_, failures) = Load(new() { ["NODE_PORT"] = "x", ["SNAPSHOT_ENTRIES"] = "y", ["NODE_ID"] = "!" });
        failures.Count.ShouldBe(3);
    }

    [Fact]
    public void a_cluster_of_three_names_its_members_and_this_nodes_peer_port()
    {
        var (options, failures) = Load(new()
        {
            ["NODE_ID"] = "node-2",
            ["CLUSTER_NODES"] = "node-1=127.0.0.1:4001,node-2=127.0.0.1:4002,node-3=127.0.0.1:4003",
            ["CLUSTER_SECRET"] = "a-secret-of-sixteen-or-more",
        });
        failures.ShouldBeEmpty();
        options.Members().Select(m => m.NodeId).ShouldBe(["node-1", "node-2", "node-3"]);
        options.EffectivePeerPort.ShouldBe(4002);
    }

    [Fact]
    public void a_lone_node_forms_a_cluster_of_itself_on_its_peer_port()
    {
        var (options, failures) = Load(new() { ["NODE_PORT"] = "3005" });
        failures.ShouldBeEmpty();
        options.Members().ShouldHaveSingleItem().NodeId.ShouldBe("node-1");
        options.EffectivePeerPort.ShouldBe(4005);
    }

    [Theory]
    [InlineData("node-1=127.0.0.1", "is not id=host:port")]
    [InlineData("node-1=127.0.0.1:4001,node-1=127.0.0.1:4002", "listed twice")]
    [InlineData("node-2=127.0.0.1:4002,node-3=127.0.0.1:4003", "CLUSTER_SECRET must be set")]
    [InlineData("node-1=127.0.0.1:4001,node-2=127.0.0.1:4002", "CLUSTER_SECRET must be set")]
    public void a_bad_cluster_is_reported(string nodes, string reason)
    {
        var (_, failures) = Load(new() { ["CLUSTER_NODES"] = nodes });
        failures.ShouldContain(f => f.Contains(reason, StringComparison.Ordinal));
    }

    [Fact]
    public void a_node_the_members_do_not_list_joins_them()
    {
        var (options, failures) = Load(new() { ["CLUSTER_NODES"] = "node-2=127.0.0.1:4002,node-3=127.0.0.1:4003", ["CLUSTER_SECRET"] = "a-secret-of-twenty-chars" });
        failures.ShouldBeEmpty();
        options.Members().ShouldNotContain(m => m.NodeId == "node-1");
        options.AdvertisedPeerAddress.ShouldBe($"{options.Host}:{options.EffectivePeerPort}");
    }

    [Theory]
    [InlineData("SHARD_COUNT", "0", "between 1 and 4096")]
    [InlineData("REPLICATION_FACTOR", "9", "between 1 and 7")]
    [InlineData("NODE_WEIGHT", "0", "between 1 and 100")]
    public void bad_sharding_settings_are_reported(string key, string value, string reason)
    {
        var (_, failures) = Load(new() { [key] = value });
        failures.ShouldContain(f => f.Contains(reason, StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("HEARTBEAT_INTERVAL", "2", "between 5 and 10000")]
    [InlineData("ELECTION_TIMEOUT", "150", "at least three heartbeats")]
    [InlineData("MIGRATION_STEP_TIMEOUT_MS", "10", "between 1000 and 3600000")]
    [InlineData("PEER_PORT", "3001", "differ from NODE_PORT")]
    public void bad_raft_timing_and_ports_are_reported(string key, string value, string reason)
    {
        var (_, failures) = Load(new() { [key] = value });
        failures.ShouldContain(f => f.Contains(reason, StringComparison.Ordinal));
    }
}
