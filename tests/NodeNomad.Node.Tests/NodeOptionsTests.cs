using Microsoft.Extensions.Configuration;
using NodeNomad.Node.Configuration;

namespace NodeNomad.Node.Tests;

public sealed class NodeOptionsTests
{
    private static (NodeOptions Options, IReadOnlyList<string> Failures) Load(Dictionary<string, string?> settings)
    {
        var options = new NodeOptions();
        options.Bind(new ConfigurationBuilder().AddInMemoryCollection(settings).Build());
        var result = new NodeOptionsValidator().Validate(null, options);
        return (options, result.Failures?.ToList() ?? []);
    }

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
    public void a_bad_value_is_reported_by_name(string key, string value, string reason)
    {
        var (_, failures) = Load(new() { [key] = value });
        failures.ShouldContain(f => f.Contains(reason, StringComparison.Ordinal));
    }

    [Fact]
    public void every_bad_value_is_reported_at_once()
    {
        var (_, failures) = Load(new() { ["NODE_PORT"] = "x", ["SNAPSHOT_ENTRIES"] = "y", ["NODE_ID"] = "!" });
        failures.Count.ShouldBe(3);
    }
}
