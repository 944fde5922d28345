using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Reflection;
using System.Runtime.InteropServices;
using System.Text.RegularExpressions;

namespace NodeNomad.Launcher.Tests;

/// <summary>
/// The launcher run as a child process from its build output, its output collected line by line. Its standard input is
/// a pipe, never the test runner's terminal, so it reads no keys.
/// </summary>
internal sealed partial class LauncherProcess : IDisposable
{
    private readonly Process process;

    private LauncherProcess(Process process) => this.process = process;

    public ConcurrentQueue<string> Lines { get; } = new();

    public int Id => process.Id;

    public bool HasExited => process.HasExited;

    public string Output => string.Join('\n', Lines);

    public static LauncherProcess Start(params string[] arguments)
    {
        var configuration = typeof(LauncherProcess).Assembly.GetCustomAttribute<AssemblyConfigurationAttribute>()?.Configuration ?? "Debug";
        var dll = Path.Combine(RepositoryRoot(), "src", "NodeNomad.Launcher", "bin", configuration, "net10.0", "NodeNomad.Launcher.dll");
        var start = new ProcessStartInfo("dotnet")
        {
            UseShellExecute = false, RedirectStandardInput = true, RedirectStandardOutput = true, RedirectStandardError = true,
        };
        start.ArgumentList.Add(dll);
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        var launcher = new LauncherProcess(Process.Start(start)!);
        launcher.process.OutputDataReceived += (_, line) => launcher.Keep(line.Data);
        launcher.process.ErrorDataReceived += (_, line) => launcher.Keep(line.Data);
        launcher.process.BeginOutputReadLine();
        launcher.process.BeginErrorReadLine();
        return launcher;
    }

    /// <summary>Waits for a line containing <paramref name="text"/>; false when the launcher exits first or time runs out.</summary>
    public async Task<bool> WaitForLineAsync(string text, TimeSpan limit)
    {
        var started = Stopwatch.GetTimestamp();
        while (Stopwatch.GetElapsedTime(started) < limit)
        {
            if (Lines.Any(line => line.Contains(text, StringComparison.Ordinal)))
            {
                return true;
            }

            if (process.HasExited)
            {
                await Task.Delay(100);
                return Lines.Any(line => line.Contains(text, StringComparison.Ordinal));
            }

            await Task.Delay(100);
        }

        return false;
    }

    /// <summary>Runs the launcher with a request for a running launcher (restart, stop, status) and waits for its answer.</summary>
    public static async Task<(int? ExitCode, string Output)> RequestAsync(params string[] arguments)
    {
        using var request = Start(arguments);
        var exitCode = await request.WaitForExitAsync(TimeSpan.FromSeconds(60));
        return (exitCode, request.Output);
    }

    /// <summary>The first line containing <paramref name="text"/>, or null.</summary>
    public string? LineWith(string text) => Lines.FirstOrDefault(line => line.Contains(text, StringComparison.Ordinal));

    /// <summary>Each node's pid, as the launcher announced them once the cluster was ready.</summary>
    public IReadOnlyDictionary<string, int> NodePids() => NodeLine().Matches(Output)
        .ToDictionary(m => m.Groups[1].Value, m => int.Parse(m.Groups[2].Value, CultureInfo.InvariantCulture));

    /// <summary>SIGINT, as Ctrl+C in the launcher's terminal sends it.</summary>
    public void Interrupt()
    {
        // A shell without job control starts background commands with SIGINT ignored, and the launcher, like any
        // Unix program, keeps an ignored signal ignored: say so rather than wait out a Ctrl+C that cannot arrive.
        IgnoresInterrupts(process.Id).ShouldBeFalse(
            "the launcher inherited SIGINT as ignored (the tests were started in the background by a shell without job control); run them in the foreground");
        Kill(process.Id, 2).ShouldBe(0);
    }

    /// <summary>Whether <paramref name="processId"/> ignores SIGINT, from the SigIgn mask of /proc/PID/status.</summary>
    private static bool IgnoresInterrupts(int processId)
    {
        string? mask = File.ReadLines($"/proc/{processId}/status")
            .FirstOrDefault(line => line.StartsWith("SigIgn:", StringComparison.Ordinal))?["SigIgn:".Length..].Trim();
        return mask is not null && (ulong.Parse(mask, NumberStyles.HexNumber, CultureInfo.InvariantCulture) & (1UL << (2 - 1))) != 0;
    }

    /// <summary>SIGKILL, as an operator would kill a node.</summary>
    public static void KillHard(int processId) => Kill(processId, 9).ShouldBe(0);

    /// <summary>The exit code, or null when it did not exit within <paramref name="limit"/>.</summary>
    public async Task<int?> WaitForExitAsync(TimeSpan limit)
    {
        using var timeout = new CancellationTokenSource(limit);
        try
        {
            await process.WaitForExitAsync(timeout.Token);
            return process.ExitCode;
        }
        catch (OperationCanceledException)
        {
            return null;
        }
    }

    public void Dispose()
    {
        if (!process.HasExited)
        {
            process.Kill(entireProcessTree: true);
            process.WaitForExit();
        }

        process.Dispose();
    }

    /// <summary>A base port such that base..base+count and base+100..base+100+count are free on the loopback address.</summary>
    public static int FreePortRange(int count)
    {
        for (var attempt = 0; attempt < 50; attempt++)
        {
            var basePort = Random.Shared.Next(2_000, 5_000) * 10;
            var ports = Enumerable.Range(0, count + 1).SelectMany(i => new[] { basePort + i, basePort + 100 + i });
            if (ports.All(IsFree))
            {
                return basePort;
            }
        }

        throw new InvalidOperationException("No free range of ports found.");
    }

    public static bool IsRunning(int processId)
    {
        try
        {
            using var process = Process.GetProcessById(processId);
            return !process.HasExited;
        }
        catch (ArgumentException)
        {
            return false;
        }
    }

    private static bool IsFree(int port)
    {
        try
        {
            using var listener = new TcpListener(IPAddress.Loopback, port);
            listener.Start();
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }

    private static string RepositoryRoot()
    {
        for (var folder = new DirectoryInfo(AppContext.BaseDirectory); folder is not null; folder = folder.Parent)
        {
            if (File.Exists(Path.Combine(folder.FullName, "NodeNomad.sln")))
            {
                return folder.FullName;
            }
        }

        throw new InvalidOperationException("NodeNomad.sln not found above the test's build.");
    }

    private void Keep(string? line)
    {
        if (line is not null)
        {
            Lines.Enqueue(line);
        }
    }

    [GeneratedRegex(@"^  (node-\d+)\s+\S+\s+peer \S+\s+pid (\d+)", RegexOptions.Multiline)]
    private static partial Regex NodeLine();

    [LibraryImport("libc", EntryPoint = "kill")]
    private static partial int Kill(int pid, int sig);
}
