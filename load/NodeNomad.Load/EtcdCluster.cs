using System.Diagnostics;
using System.Net.Sockets;

namespace NodeNomad.Load;

/// <summary>
/// The 3-member etcd cluster of <c>load/etcd-cluster.sh</c>, started in a temporary folder; disposing it
/// runs the script's <c>stop</c>, which stops the members and removes the folder.
/// </summary>
internal sealed class EtcdCluster : IAsyncDisposable
{
    private const int ClientPort = 12379;
    private static readonly TimeSpan StartLimit = TimeSpan.FromSeconds(30);

    private readonly string script;
    private readonly string folder = Path.Combine(Path.GetTempPath(), $"nodenomad-load-etcd-{Guid.NewGuid():N}");

    private EtcdCluster(string script) => this.script = script;

    /// <summary>The first member's client URL, where the load goes.</summary>
    public static Uri Url { get; } = new($"http://127.0.0.1:{ClientPort}/");

    public static async Task<EtcdCluster> StartAsync(string script, CancellationToken cancellationToken)
    {
        if (Listening(ClientPort))
        {
            throw new BenchSetupException($"127.0.0.1:{ClientPort} is already taken, likely by an etcd left running; stop it with: bash {script} stop DIR");
        }

        return await new EtcdCluster(script).ThenAsync(async cluster =>
        {
            await cluster.RunScriptAsync("start", cancellationToken);
            if (!await Readiness.WaitAsync(new Uri(Url, "health"), StartLimit, () => false, cancellationToken))
            {
                throw new BenchSetupException($"etcd was not healthy within {StartLimit.TotalSeconds} s; its logs are in {cluster.folder}.");
            }
        });
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            await RunScriptAsync("stop", CancellationToken.None);
        }
        catch (BenchSetupException e)
        {
            await Console.Error.WriteLineAsync($"Could not stop etcd: {e.Message}");
        }
    }

    private async Task RunScriptAsync(string command, CancellationToken cancellationToken)
    {
        var start = new ProcessStartInfo("bash") { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add(script);
        start.ArgumentList.Add(command);
        start.ArgumentList.Add(folder);
        using var process = Process.Start(start) ?? throw new BenchSetupException("bash did not start.");
        var stdout = process.StandardOutput.ReadToEndAsync(CancellationToken.None);
        var stderr = process.StandardError.ReadToEndAsync(CancellationToken.None);
        try
        {
            await process.WaitForExitAsync(cancellationToken);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true); // the members it started so far go too; stop then removes the folder
            throw;
        }

        if (process.ExitCode != 0)
        {
            throw new BenchSetupException($"'bash {script} {command}' failed with code {process.ExitCode}: {await stderr}{await stdout}");
        }
    }

    private static bool Listening(int port)
    {
        try
        {
            using var client = new TcpClient();
            client.Connect("127.0.0.1", port);
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }
}
