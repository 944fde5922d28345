using System.Diagnostics;

namespace NodeNomad.Launcher;

/// <summary>
/// A process of the cluster (a node or the console), run by the .NET host from a build output, its output appended
/// to a log file. Each has a watchdog: a shell that waits for its standard input, a pipe only this program holds, to
/// close. That happens when this program exits in any way, SIGKILL included, and the watchdog then stops the child
/// (SIGTERM, SIGKILL 10 s later), so no process outlives the launcher.
/// </summary>
internal sealed class ChildProcess : IDisposable
{
    private const string Shell = "/bin/sh";

    private readonly Process process;
    private readonly Process watchdog;

    private ChildProcess(Process process, Process watchdog)
    {
        this.process = process;
        this.watchdog = watchdog;
    }

    public int Id => process.Id;

    public bool HasExited => process.HasExited;

    public int ExitCode => process.ExitCode;

    public static ChildProcess Start(string name, string dll, IReadOnlyList<string> arguments, IReadOnlyDictionary<string, string> environment, string logPath)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(logPath)!);
        var start = new ProcessStartInfo(Shell) { UseShellExecute = false, WorkingDirectory = Path.GetDirectoryName(logPath)! };
        // exec: the child keeps the shell's process id, so the id known here is the node's own.
        foreach (var argument in (string[])["-c", "log=$1; shift; exec \"$@\" >>\"$log\" 2>&1 </dev/null", "sh", logPath, DotnetHost(), dll, .. arguments])
        {
            start.ArgumentList.Add(argument);
        }

        foreach (var (key, value) in environment)
        {
            start.Environment[key] = value;
        }

        var process = Process.Start(start) ?? throw new InvalidOperationException($"{name} could not be started.");
        var guard = new ProcessStartInfo(Shell) { UseShellExecute = false, RedirectStandardInput = true };
        foreach (var argument in (string[])["-c", "cat >/dev/null; kill -TERM \"$1\" 2>/dev/null; i=0; while kill -0 \"$1\" 2>/dev/null && [ $i -lt 10 ]; do sleep 1; i=$((i+1)); done; kill -KILL \"$1\" 2>/dev/null", "watchdog", process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)])
        {
            guard.ArgumentList.Add(argument);
        }

        return new ChildProcess(process, Process.Start(guard)!);
    }

    /// <summary>Completes when the process exits.</summary>
    public Task WaitForExitAsync(CancellationToken cancellationToken) => process.WaitForExitAsync(cancellationToken);

    /// <summary>Asks the process to stop (SIGTERM); the caller waits, then <see cref="Kill"/>s what is left.</summary>
    public void Terminate()
    {
        if (!process.HasExited)
        {
            Signals.Send(process.Id, Signals.Terminate);
        }
    }

    public void Kill()
    {
        if (!process.HasExited)
        {
            process.Kill(entireProcessTree: true);
        }
    }

    /// <summary>
    /// The last lines of a process's log, to explain a failure; without <paramref name="stackFrames"/>, the lines of a
    /// .NET stack trace ("   at ...") are left out, so that the exception's message shows rather than its deepest frames.
    /// </summary>
    public static string LastLines(string logPath, int count, bool stackFrames = true)
    {
        try
        {
            var lines = File.ReadLines(logPath);
            return string.Join(Environment.NewLine, (stackFrames ? lines : lines.Where(l => !l.StartsWith("   at ", StringComparison.Ordinal))).TakeLast(count));
        }
        catch (IOException e)
        {
            return $"(the log {logPath} cannot be read: {e.Message})";
        }
    }

    public void Dispose()
    {
        // The child is gone (or being stopped by the caller): the watchdog has nothing left to guard.
        if (!watchdog.HasExited)
        {
            watchdog.Kill(entireProcessTree: true);
            watchdog.WaitForExit();
        }

        watchdog.Dispose();
        process.Dispose();
    }

    private static string DotnetHost() =>
        Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host && File.Exists(host)
            ? host
            : Environment.ProcessPath is { } self && Path.GetFileNameWithoutExtension(self) == "dotnet" ? self : "dotnet";
}
