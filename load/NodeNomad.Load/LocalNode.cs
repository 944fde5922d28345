using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace NodeNomad.Load;

/// <summary>
/// A NodeNomad node this program starts on a free 127.0.0.1 port with a temporary data folder; disposing it
/// stops the process and removes the folder.
/// </summary>
internal sealed class LocalNode : IAsyncDisposable
{
    private const int KeptOutputLines = 40;
    private static readonly TimeSpan StartLimit = TimeSpan.FromSeconds(60);

    private readonly DirectoryInfo folder;
    private readonly Process process;
    private readonly ConcurrentQueue<string> output = new();

    private LocalNode(string nodeDll, DirectoryInfo folder, int port)
    {
        this.folder = folder;
        Url = new Uri($"http://127.0.0.1:{port}/");
        var start = new ProcessStartInfo("dotnet")
        {
            WorkingDirectory = folder.FullName,
            UseShellExecute = false,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        start.ArgumentList.Add(nodeDll);
        start.Environment["NODE_ID"] = "load-1";
        start.Environment["NODE_HOST"] = "127.0.0.1";
        start.Environment["NODE_PORT"] = port.ToString(CultureInfo.InvariantCulture);
        start.Environment["DATA_DIR"] = Path.Combine(folder.FullName, "data");
        process = new Process { StartInfo = start };
        process.OutputDataReceived += (_, line) => Keep(line.Data);
        process.ErrorDataReceived += (_, line) => Keep(line.Data);
    }

    public Uri Url { get; }

    public static async Task<LocalNode> StartAsync(string nodeDll, CancellationToken cancellationToken)
    {
        var node = new LocalNode(nodeDll, Directory.CreateTempSubdirectory("nodenomad-load-"), FreePort());
        try
        {
            node.process.Start();
            node.process.BeginOutputReadLine();
            node.process.BeginErrorReadLine();
            if (!await Readiness.WaitAsync(new Uri(node.Url, "health/ready"), StartLimit, () => node.process.HasExited, cancellationToken))
            {
                var state = node.process.HasExited ? $"exited with code {node.process.ExitCode}" : $"was not ready within {StartLimit.TotalSeconds} s";
                throw new BenchSetupException($"the node {state}. Its last output:\n{string.Join('\n', node.output)}");
            }

            return node;
        }
        catch
        {
            await node.DisposeAsync();
            throw;
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (!HasExited())
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync(CancellationToken.None);
        }

        process.Dispose();
        try
        {
            folder.Delete(recursive: true);
        }
        catch (IOException e)
        {
            await Console.Error.WriteLineAsync($"Could not remove the node's data folder {folder.FullName}: {e.Message}");
        }
    }

    private bool HasExited()
    {
        try
        {
            return process.HasExited;
        }
        catch (InvalidOperationException)
        {
            return true; // never started
        }
    }

    // The port is free when asked; the node binds it a moment later, which is good enough on a quiet machine.
    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private void Keep(string? line)
    {
        if (line is null)
        {
            return;
        }

        output.Enqueue(line);
        while (output.Count > KeptOutputLines)
        {
            output.TryDequeue(out _);
        }
    }
}
