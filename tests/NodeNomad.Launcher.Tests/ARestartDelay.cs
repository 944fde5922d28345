using System.Globalization;
using System.Text.RegularExpressions;

namespace NodeNomad.Launcher.Tests;

[Collection(LaunchedClusters.Name)]
public sealed partial class ARestartDelay
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task brings_a_killed_node_back_by_itself_and_one_stopped_on_request_stays_down()
    {
        var basePort = LauncherProcess.FreePortRange(3);
        var data = Directory.CreateTempSubdirectory("nodenomad-launcher-").FullName;
        var pids = new List<int>();
        try
        {
            using var launcher = LauncherProcess.Start(
                "--nodes", "3", "--base-port", Invariant(basePort), "--peer-base-port", Invariant(basePort + 100), "--no-console", "--data", data,
                "--restart", "1s");
            (await launcher.WaitForLineAsync("Press Ctrl+C", TimeSpan.FromSeconds(120))).ShouldBeTrue(launcher.Output);
            launcher.Output.ShouldContain("A process that exits is started again after 1 s.");
            var started = launcher.NodePids();
            pids.AddRange(started.Values);
            await NodeApi.SetAsync(basePort + 1, "before", "written before node-2 died", Patience);

            LauncherProcess.KillHard(started["node-2"]);

            (await launcher.WaitForLineAsync("node-2 exited: killed by SIGKILL", Patience)).ShouldBeTrue(launcher.Output);
            (await launcher.WaitForLineAsync("node-2 restarted: pid", Patience)).ShouldBeTrue(launcher.Output);
            var pid = int.Parse(RestartedPid().Match(launcher.Output).Groups[1].Value, CultureInfo.InvariantCulture);
            pids.Add(pid);
            pid.ShouldNotBe(started["node-2"]);
            (await NodeApi.GetAsync(basePort + 2, "before", Patience, stale: true)).ShouldBe("written before node-2 died");
            await NodeApi.SetAsync(basePort + 2, "after", "written through node-2 once back", Patience);

            var (stopCode, stopped) = await LauncherProcess.RequestAsync("stop", "node-2", "--data", data);

            stopCode.ShouldBe(0, stopped);
            stopped.ShouldContain("node-2 stopped (exit code 0).");
            LauncherProcess.IsRunning(pid).ShouldBeFalse();
            var (_, status) = await LauncherProcess.RequestAsync("status", "--data", data);
            status.ShouldMatch(@"node-2 .* stopped: exit code 0 at \d\d:\d\d:\d\d\b");
            status.ShouldNotContain("restarting");
            (await NodeApi.GetAsync(basePort + 1, "after", Patience)).ShouldBe("written through node-2 once back");

            launcher.Interrupt();
            (await launcher.WaitForExitAsync(TimeSpan.FromSeconds(30))).ShouldBe(0, launcher.Output);
            pids.ShouldAllBe(p => !LauncherProcess.IsRunning(p));
        }
        finally
        {
            Directory.Delete(data, recursive: true);
        }
    }

    private static string Invariant(int number) => number.ToString(CultureInfo.InvariantCulture);

    [GeneratedRegex(@"node-2 restarted: pid (\d+)")]
    private static partial Regex RestartedPid();
}
