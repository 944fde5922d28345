using System.Text.Json;

namespace NodeNomad.Node.Tests;

/// <summary>The runtime settings the node's build gives it (its runtimeconfig.json, copied beside the tests).</summary>
public sealed class RuntimeSettingsTests
{
    private static JsonElement ConfigProperties()
    {
        var path = Path.Combine(AppContext.BaseDirectory, "NodeNomad.Node.runtimeconfig.json");
        File.Exists(path).ShouldBeTrue(path);
        using var document = JsonDocument.Parse(File.ReadAllText(path));
        return document.RootElement.GetProperty("runtimeOptions").GetProperty("configProperties").Clone();
    }

    [Fact]
    public void the_node_runs_workstation_gc_with_background_collections()
    {
        var properties = ConfigProperties();
        properties.GetProperty("System.GC.Server").GetBoolean().ShouldBeFalse();
        properties.GetProperty("System.GC.Concurrent").GetBoolean().ShouldBeTrue();
    }

    [Fact]
    public void idle_thread_pool_workers_sleep_without_spinning()
    {
        ConfigProperties().GetProperty("System.Threading.ThreadPool.UnfairSemaphoreSpinLimit").GetInt32().ShouldBe(0);
    }
}
