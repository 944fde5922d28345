using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace NodeNomad.Launcher.Tests;

/// <summary>Requests to a running launcher that it refuses, and what it says; one single-node cluster serves them all.</summary>
[Collection(LaunchedClusters.Name)]
public sealed class ControlRequestsAreAnswered(ControlRequestsAreAnswered.OneNode cluster) : IClassFixture<ControlRequestsAreAnswered.OneNode>
{
    [Fact]
    public async Task an_unknown_process_is_refused_naming_the_cluster_s_own()
    {
        var (code, output) = await LauncherProcess.RequestAsync("restart", "node-4", "--data", cluster.Data);

        code.ShouldBe(1, output);
        output.ShouldContain("Unknown process 'node-4': this cluster has node-1.");
    }

    [Fact]
    public async Task the_console_of_a_cluster_without_one_is_unknown()
    {
        var (code, output) = await LauncherProcess.RequestAsync("stop", "console", "--data", cluster.Data);

        code.ShouldBe(1, output);
        output.ShouldContain("Unknown process 'console'");
    }

    [Fact]
    public async Task restarting_a_running_node_is_refused_with_its_pid()
    {
        var (code, output) = await LauncherProcess.RequestAsync("restart", "node-1", "--data", cluster.Data);

        code.ShouldBe(1, output);
        output.ShouldContain(string.Create(CultureInfo.InvariantCulture, $"node-1 is already running (pid {cluster.NodePid})"));
    }

    [Fact]
    public async Task status_lists_each_node_with_its_pid()
    {
        var (code, output) = await LauncherProcess.RequestAsync("status", "--data", cluster.Data);

        code.ShouldBe(0, output);
        output.ShouldMatch(string.Create(CultureInfo.InvariantCulture, $@"node-1\s+http://localhost:{cluster.BasePort + 1}\s+running, pid {cluster.NodePid}\b"));
    }

    [Fact]
    public async Task a_second_launcher_on_the_same_data_folder_is_refused()
    {
        var basePort = LauncherProcess.FreePortRange(1);
        using var second = LauncherProcess.Start(
            "--nodes", "1", "--replication", "1", "--base-port", Invariant(basePort), "--peer-base-port", Invariant(basePort + 100), "--no-console",
            "--data", cluster.Data);

        (await second.WaitForExitAsync(TimeSpan.FromSeconds(60))).ShouldBe(1, second.Output);
        second.Output.ShouldContain("another launcher is running with the data folder");
    }

    [Fact]
    public async Task without_a_running_launcher_a_request_exits_3_and_says_so()
    {
        var empty = Directory.CreateTempSubdirectory("nodenomad-launcher-").FullName;
        try
        {
            var (code, output) = await LauncherProcess.RequestAsync("restart", "node-1", "--data", empty);

            code.ShouldBe(3, output);
            output.ShouldContain($"No launcher is running with the data folder {empty}");
        }
        finally
        {
            Directory.Delete(empty, recursive: true);
        }
    }

    [Fact]
    public async Task adding_a_node_whose_port_is_taken_is_refused_naming_the_port_and_adds_nothing()
    {
        var taken = cluster.BasePort + 102;
        using var squatter = new TcpListener(IPAddress.Loopback, taken);
        squatter.Start();

        var (code, output) = await LauncherProcess.RequestAsync("add", "--data", cluster.Data);

        code.ShouldBe(1, output);

        // The ports are in the kernel's ephemeral range, so another process may hold node-2's client port as well: the
        // launcher checks that one first, and must then name it instead, as in use.
        var client = cluster.BasePort + 2;
        var clientTaken = output.Contains(Invariant($"port {client} (node-2's client API) is in use by another process"), StringComparison.Ordinal)
            && !CanListen(client);
        output.ShouldContain(clientTaken
            ? Invariant($"node-2 cannot be added: port {client} (node-2's client API) is in use by another process")
            : Invariant($"node-2 cannot be added: port {taken} (node-2's peer API) is in use by another process"));
        var (_, status) = await LauncherProcess.RequestAsync("status", "--data", cluster.Data);
        status.ShouldNotContain("node-2");
    }

    private static bool CanListen(int port)
    {
        try
        {
            using var probe = new TcpListener(IPAddress.Loopback, port);
            probe.Start();
            return true;
        }
        catch (System.Net.Sockets.SocketException)
        {
            return false;
        }
    }

    [Fact]
    public async Task without_a_running_launcher_add_exits_3_and_says_so()
    {
        var empty = Directory.CreateTempSubdirectory("nodenomad-launcher-").FullName;
        try
        {
            var (code, output) = await LauncherProcess.RequestAsync("add", "--data", empty);

            code.ShouldBe(3, output);
            output.ShouldContain($"No launcher is running with the data folder {empty}");
        }
        finally
        {
            Directory.Delete(empty, recursive: true);
        }
    }

    [Fact]
    public async Task a_request_without_its_process_exits_2()
    {
        var (code, output) = await LauncherProcess.RequestAsync("restart", "--data", cluster.Data);

        code.ShouldBe(2, output);
        output.ShouldContain("restart needs one process: node-N or console");
    }

    private static string Invariant(int number) => number.ToString(CultureInfo.InvariantCulture);

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);

    /// <summary>A launched single-node cluster, stopped (and its data folder deleted) after the class's tests.</summary>
    public sealed class OneNode : IAsyncLifetime
    {
        private LauncherProcess? launcher;

        public string Data { get; } = Directory.CreateTempSubdirectory("nodenomad-launcher-").FullName;

        public int BasePort { get; } = LauncherProcess.FreePortRange(1);

        public int NodePid { get; private set; }

        public async ValueTask InitializeAsync()
        {
            launcher = LauncherProcess.Start(
                "--nodes", "1", "--replication", "1", "--base-port", Invariant(BasePort), "--peer-base-port", Invariant(BasePort + 100), "--no-console",
                "--data", Data);
            (await launcher.WaitForLineAsync("Press Ctrl+C", TimeSpan.FromSeconds(120))).ShouldBeTrue(launcher.Output);
            NodePid = launcher.NodePids()["node-1"];
        }

        public async ValueTask DisposeAsync()
        {
            try
            {
                if (launcher is not null)
                {
                    launcher.Interrupt();
                    (await launcher.WaitForExitAsync(TimeSpan.FromSeconds(30))).ShouldBe(0, launcher.Output);
                }
            }
            finally
            {
                launcher?.Dispose();
                Directory.Delete(Data, recursive: true);
            }
        }
    }
}
