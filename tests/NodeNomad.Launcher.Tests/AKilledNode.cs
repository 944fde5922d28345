using System.Globalization;
using System.Text.RegularExpressions;

namespace NodeNomad.Launcher.Tests;

[Collection(LaunchedClusters.Name)]
public sealed partial class AKilledNode
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task is_reported_while_the_others_serve_and_restart_brings_it_back_with_its_data()
    {
        var basePort = LauncherProcess.FreePortRange(3);
        var data = Directory.CreateTempSubdirectory("nodenomad-launcher-").FullName;
        var pids = new List<int>();
        try
        {
            using var launcher = LauncherProcess.Start(
                "--nodes", "3", "--base-port", Invariant(basePort), "--peer-base-port", Invariant(basePort + 100), "--no-console", "--data", data);
            (await launcher.WaitForLineAsync("Press Ctrl+C", TimeSpan.FromSeconds(120))).ShouldBeTrue(launcher.Output);
            var started = launcher.NodePids();
            pids.AddRange(started.Values);
            await NodeApi.SetAsync(basePort + 1, "before", "written before node-3 died", Patience);

            LauncherProcess.KillHard(started["node-3"]);

            (await launcher.WaitForLineAsync("node-3 exited: killed by SIGKILL", Patience)).ShouldBeTrue(launcher.Output);
            await NodeApi.SetAsync(basePort + 1, "during", "written while node-3 was down", Patience);
            (await NodeApi.GetAsync(basePort + 2, "during", Patience)).ShouldBe("written while node-3 was down");
            launcher.HasExited.ShouldBeFalse(launcher.Output);
            var (statusCode, status) = await LauncherProcess.RequestAsync("status", "--data", data);
            statusCode.ShouldBe(0, status);
            status.ShouldContain(Invariant($"running, pid {started["node-1"]}"));
            status.ShouldMatch(@"node-3 .* exited: killed by SIGKILL at \d\d:\d\d:\d\d");

            var (restartCode, restarted) = await LauncherProcess.RequestAsync("restart", "node-3", "--data", data);

            restartCode.ShouldBe(0, restarted);
            var pid = int.Parse(RestartedPid().Match(restarted).Groups[1].Value, CultureInfo.InvariantCulture);
            pids.Add(pid);
            LauncherProcess.IsRunning(pid).ShouldBeTrue();
            (await NodeApi.GetAsync(basePort + 3, "before", Patience, stale: true)).ShouldBe("written before node-3 died");
            (await NodeApi.GetAsync(basePort + 3, "during", Patience)).ShouldBe("written while node-3 was down");
            await NodeApi.SetAsync(basePort + 3, "after", "written through node-3 once back", Patience);
            (await NodeApi.GetAsync(basePort + 1, "after", Patience)).ShouldBe("written through node-3 once back");
            launcher.Output.ShouldContain(Invariant($"node-3 restarted: pid {pid}"));

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

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);

    [GeneratedRegex(@"node-3 restarted: pid (\d+)")]
    private static partial Regex RestartedPid();
}
