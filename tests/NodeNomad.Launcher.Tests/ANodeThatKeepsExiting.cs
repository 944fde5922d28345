using System.Globalization;
using System.Text.RegularExpressions;

namespace NodeNomad.Launcher.Tests;

[Collection(LaunchedClusters.Name)]
public sealed partial class ANodeThatKeepsExiting
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(90);

    [Fact]
    public async Task is_no_longer_restarted_after_five_quick_exits_and_the_launcher_says_why()
    {
        var basePort = LauncherProcess.FreePortRange(1);
        var data = Directory.CreateTempSubdirectory("nodenomad-launcher-").FullName;
        var pids = new List<int>();
        try
        {
            using var launcher = LauncherProcess.Start(
                "--nodes", "1", "--replication", "1", "--base-port", Invariant(basePort), "--peer-base-port", Invariant(basePort + 100), "--no-console",
                "--data", data, "--restart", "200ms");
            (await launcher.WaitForLineAsync("Press Ctrl+C", TimeSpan.FromSeconds(120))).ShouldBeTrue(launcher.Output);
            var first = launcher.NodePids()["node-1"];
            pids.Add(first);
            await NodeApi.SetAsync(basePort + 1, "kept", "written before node-1 broke", Patience);

            // A file where node-1's data folder was: every start of it fails at once, as a broken disk or setting would.
            var folder = Path.Combine(data, "node-1");
            LauncherProcess.KillHard(first);
            Directory.Move(folder, folder + ".aside");
            await File.WriteAllTextAsync(folder, "not a folder", TestContext.Current.CancellationToken);

            // The report's last line: its lines arrive one by one, and the assertions below read all of them.
            (await launcher.WaitForLineAsync("once its cause is fixed, run:", Patience)).ShouldBeTrue(launcher.Output);
            launcher.Output.ShouldContain("node-1 exited 5 times in a row, each within 60 s of its start");
            Starts().Count(launcher.Output).ShouldBe(4, launcher.Output);
            var givenUp = launcher.Output[launcher.Output.LastIndexOf("no longer restarts", StringComparison.Ordinal)..];
            // The reason, not the deepest frames of its stack trace: every start fails to make a folder under node-1's data.
            givenUp.ShouldContain("why, by the last lines of its log");
            givenUp.ShouldContain("Could not find a part of the path");
            givenUp.ShouldNotContain("   at ");
            givenUp.ShouldContain("once its cause is fixed, run:");
            var (_, status) = await LauncherProcess.RequestAsync("status", "--data", data);
            status.ShouldMatch(@"node-1 .* exited: .* not restarted: 5 exits in a row, each within 60 s of its start");
            status.ShouldNotContain("restarting at");

            File.Delete(folder);
            Directory.Move(folder + ".aside", folder);
            var (code, restarted) = await LauncherProcess.RequestAsync("restart", "node-1", "--data", data);

            code.ShouldBe(0, restarted);
            pids.Add(int.Parse(RestartedPid().Matches(restarted)[^1].Groups[1].Value, CultureInfo.InvariantCulture));
            (await NodeApi.GetAsync(basePort + 1, "kept", Patience)).ShouldBe("written before node-1 broke");

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

    [GeneratedRegex(@"node-1 restarted: pid (\d+)")]
    private static partial Regex RestartedPid();

    [GeneratedRegex(@"^node-1 restarted: pid", RegexOptions.Multiline)]
    private static partial Regex Starts();
}
