using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace NodeNomad.Load;

/// <summary>
/// The launcher (<c>src/NodeNomad.Launcher</c>) run by this program: the local cluster of its default shape on free
/// 127.0.0.1 ports, with a temporary data folder, no console, and its requests (<c>add</c>) sent as its users do.
/// Disposing it stops the launcher, which stops its nodes, and removes the folder.
/// </summary>
internal sealed class LaunchedFleet : IAsyncDisposable
{
    private static readonly TimeSpan ReadyLimit = TimeSpan.FromMinutes(3);

    private readonly string launcherDll;
    private readonly Process process;
    private readonly ConcurrentQueue<string> lines = new();

    private LaunchedFleet(string launcherDll, int basePort, DirectoryInfo data)
    {
        this.launcherDll = launcherDll;
        BasePort = basePort;
        Data = data;
        process = Start(launcherDll, ["--base-port", Invariant($"{basePort}"), "--peer-base-port", Invariant($"{basePort + 100}"), "--no-console", "--data", data.FullName]);
        process.OutputDataReceived += (_, line) => Keep(line.Data);
        process.ErrorDataReceived += (_, line) => Keep(line.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
    }

    public int BasePort { get; }

    public DirectoryInfo Data { get; }

    /// <summary>node-k's client API.</summary>
    public Uri Url(int node) => new(Invariant($"http://127.0.0.1:{BasePort + node}/"));

    /// <summary>Starts the launcher with room for <paramref name="nodes"/> nodes' ports and waits until it says the cluster is ready.</summary>
    public static async Task<LaunchedFleet> StartAsync(string launcherDll, int nodes, CancellationToken cancellationToken)
    {
        var fleet = new LaunchedFleet(launcherDll, FreePortRange(nodes), Directory.CreateTempSubdirectory("nodenomad-load-launcher-"));
        return await fleet.ThenAsync(async f =>
        {
            var started = Stopwatch.GetTimestamp();
            while (!f.lines.Any(l => l.Contains("Press Ctrl+C", StringComparison.Ordinal)))
            {
                if (f.process.HasExited || Stopwatch.GetElapsedTime(started) > ReadyLimit)
                {
                    throw new BenchSetupException($"the launcher did not get its cluster ready within {ReadyLimit.TotalMinutes:0} min. Its output:\n{f.Output}");
                }

                await Task.Delay(200, cancellationToken);
            }
        });
    }

    public string Output => string.Join('\n', lines);

    /// <summary>Runs <c>launcher VERB --data DIR</c> and returns its exit code and what it printed.</summary>
    public async Task<(int ExitCode, string Output)> RequestAsync(string verb, CancellationToken cancellationToken)
    {
        using var request = Start(launcherDll, [verb, "--data", Data.FullName]);
        var output = request.StandardOutput.ReadToEndAsync(cancellationToken);
        var errors = request.StandardError.ReadToEndAsync(cancellationToken);
        await request.WaitForExitAsync(cancellationToken);
        return (request.ExitCode, (await output + await errors).Trim());
    }

    public async ValueTask DisposeAsync()
    {
        if (!process.HasExited)
        {
            // SIGTERM: the launcher stops its nodes (SIGTERM, SIGKILL after 10 s) before it exits.
            using (var term = Process.Start("kill", ["-TERM", process.Id.ToString(CultureInfo.InvariantCulture)]))
            {
                await term.WaitForExitAsync(CancellationToken.None);
            }

            using var grace = new CancellationTokenSource(TimeSpan.FromSeconds(30));
            try
            {
                await process.WaitForExitAsync(grace.Token);
            }
            catch (OperationCanceledException)
            {
                process.Kill(entireProcessTree: true);
                await process.WaitForExitAsync(CancellationToken.None);
            }
        }

        process.Dispose();
        try
        {
            Data.Delete(recursive: true);
        }
        catch (IOException e)
        {
            await Console.Error.WriteLineAsync($"Could not remove the launcher's data folder {Data.FullName}: {e.Message}");
        }
    }

    private static Process Start(string dll, IEnumerable<string> arguments)
    {
        var start = new ProcessStartInfo("dotnet") { UseShellExecute = false, RedirectStandardInput = true, RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add(dll);
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        return Process.Start(start) ?? throw new BenchSetupException($"dotnet {dll} could not be started.");
    }

    /// <summary>A base port such that base..base+nodes (client, console on base) and base+100.. (peer) are free.</summary>
    private static int FreePortRange(int nodes)
    {
        for (var attempt = 0; attempt < 50; attempt++)
        {
            var basePort = Random.Shared.Next(2_000, 5_000) * 10;
            if (Enumerable.Range(0, nodes + 1).SelectMany(i => new[] { basePort + i, basePort + 100 + i }).All(IsFree))
            {
                return basePort;
            }
        }

        throw new BenchSetupException("no free range of ports found for the launcher.");
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

    private void Keep(string? line)
    {
        if (line is not null)
        {
            lines.Enqueue(line);
        }
    }

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
