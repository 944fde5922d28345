using System.Globalization;
using System.Net.Http.Json;
using System.Net.Sockets;

namespace NodeNomad.Launcher.Tests;

[Collection(LaunchedClusters.Name)]
public sealed class ALaunchedCluster
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task three_nodes_serve_keys_through_any_node_and_ctrl_c_stops_every_process()
    {
        var basePort = LauncherProcess.FreePortRange(3);
        var data = Directory.CreateTempSubdirectory("nodenomad-launcher-").FullName;
        try
        {
            using var launcher = LauncherProcess.Start(
                "--nodes", "3", "--base-port", Invariant(basePort), "--peer-base-port", Invariant(basePort + 100), "--no-console", "--data", data);

            (await launcher.WaitForLineAsync("Press Ctrl+C", TimeSpan.FromSeconds(120))).ShouldBeTrue(launcher.Output);
            launcher.Output.ShouldContain("NodeNomad cluster ready: 3 nodes");
            var pids = launcher.NodePids().Values.ToList();
            pids.Count.ShouldBe(3, launcher.Output);

            using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };
            var written = await http.PostAsJsonAsync(new Uri(Invariant($"http://localhost:{basePort + 1}/api/v1/set")), new { key = "hello", value = "world" }, Ct);
            written.EnsureSuccessStatusCode();
            var read = await http.GetFromJsonAsync<ReadValue>(new Uri(Invariant($"http://localhost:{basePort + 3}/api/v1/get/hello")), Ct);
            read.ShouldNotBeNull().Value.ShouldBe("world");
            File.Exists(Path.Combine(data, "cluster-secret")).ShouldBeTrue();

            launcher.Interrupt();

            (await launcher.WaitForExitAsync(TimeSpan.FromSeconds(30))).ShouldBe(0, launcher.Output);
            pids.ShouldAllBe(pid => !LauncherProcess.IsRunning(pid));
            launcher.Output.ShouldContain("Stopped.");
        }
        finally
        {
            Directory.Delete(data, recursive: true);
        }
    }

    [Fact]
    public async Task a_bad_option_exits_with_2_and_says_why()
    {
        using var launcher = LauncherProcess.Start("--nodes", "0");

        (await launcher.WaitForExitAsync(TimeSpan.FromSeconds(30))).ShouldBe(2);
        launcher.Output.ShouldContain("--nodes must be a whole number");
    }

    [Fact]
    public async Task a_busy_port_fails_fast_naming_it()
    {
        var basePort = LauncherProcess.FreePortRange(2);
        using var squatter = new TcpListener(System.Net.IPAddress.Loopback, basePort + 102);
        squatter.Start();

        using var launcher = LauncherProcess.Start(
            "--nodes", "2", "--replication", "1", "--base-port", Invariant(basePort), "--peer-base-port", Invariant(basePort + 100), "--no-console", "--data",
            Path.Combine(Path.GetTempPath(), "nodenomad-launcher-unused"));

        (await launcher.WaitForExitAsync(TimeSpan.FromSeconds(30))).ShouldBe(1);
        launcher.Output.ShouldContain(Invariant($"port {basePort + 102} (node-2's peer API) is in use"));
    }

    private static string Invariant(int number) => number.ToString(CultureInfo.InvariantCulture);

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);

    private sealed record ReadValue(string Key, string Value, long Version);
}
