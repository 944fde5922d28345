using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace NodeNomad.Load;

/// <summary>
/// A NodeNomad node this program starts on free 127.0.0.1 ports (client and peer) with a temporary data folder;
/// disposing it stops the process and removes the folder.
/// </summary>
internal sealed class LocalNode : IAsyncDisposable
{
    private const int KeptOutputLines = 40;
    private static readonly TimeSpan StartLimit = TimeSpan.FromSeconds(60);

    private readonly DirectoryInfo folder;
    private Process process;
    private readonly ConcurrentQueue<string> output = new();

    private LocalNode(string nodeDll, DirectoryInfo folder, string nodeId, int port, int peerPort, IReadOnlyDictionary<string, string> environment, NodeUser? user)
    {
        this.folder = folder;
        NodeId = nodeId;
        PeerPort = peerPort;
        User = user;
        Url = new Uri($"http://127.0.0.1:{port}/");
        var start = new ProcessStartInfo(user is null ? "dotnet" : "setpriv")
        {
            WorkingDirectory = folder.FullName,
            UseShellExecute = false,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        if (user is not null)
        {
            // The node runs as its own Unix user, so that iptables can cut its links by owner (the chaos partitions).
            foreach (var argument in (string[])["--reuid", user.Name, "--regid", user.Name, "--clear-groups", "dotnet"])
            {
                start.ArgumentList.Add(argument);
            }

            start.Environment["DOTNET_CLI_HOME"] = folder.FullName;
            // A chaos node also takes the peer transport's test switch, off until the file is written.
            start.Environment["NODENOMAD_TEST_FAULTS"] = TransportFaultsFile;
            user.Own(folder);
        }

        start.ArgumentList.Add(nodeDll);
        start.Environment["NODE_ID"] = nodeId;
        start.Environment["NODE_HOST"] = "127.0.0.1";
        start.Environment["NODE_PORT"] = port.ToString(CultureInfo.InvariantCulture);
        start.Environment["PEER_PORT"] = peerPort.ToString(CultureInfo.InvariantCulture);
        start.Environment["DATA_DIR"] = Path.Combine(folder.FullName, "data");
        foreach (var (name, value) in environment)
        {
            start.Environment[name] = value;
        }

        process = NewProcess(start);
    }

    public string NodeId { get; }

    /// <summary>The port the node's peers reach it on (Raft and the meta group).</summary>
    public int PeerPort { get; }

    /// <summary>The Unix user the node runs as, or null when it runs as this program's user.</summary>
    public NodeUser? User { get; }

    /// <summary>The file the node's peer transport reads its test delay and loss from (see <c>NODENOMAD_TEST_FAULTS</c>).</summary>
    public string TransportFaultsFile => Path.Combine(folder.FullName, "transport-faults");

    /// <summary>The node's process id, for signals.</summary>
    public int ProcessId => process.Id;

    /// <summary>CPU time the node's process has used so far.</summary>
    public TimeSpan CpuTime
    {
        get
        {
            process.Refresh();
            return process.TotalProcessorTime;
        }
    }

    /// <summary>The node process's resident memory, in bytes.</summary>
    public long ResidentBytes
    {
        get
        {
            process.Refresh();
            return process.WorkingSet64;
        }
    }

    /// <summary>The client API.</summary>
    public Uri Url { get; }

    /// <summary>The node's last lines of output.</summary>
    public string LastOutput => string.Join('\n', output);

    /// <summary>Starts a node alone (a cluster of one) and waits until it is ready.</summary>
    public static async Task<LocalNode> StartAsync(string nodeDll, CancellationToken cancellationToken)
    {
        var ports = FreePorts(2);
        var node = await LaunchAsync(nodeDll, "load-1", ports[0], ports[1], new Dictionary<string, string>());
        return await node.ThenAsync(n => n.WaitReadyAsync(cancellationToken));
    }

    /// <summary>Starts a node with <paramref name="environment"/> added to its settings, without waiting for it.</summary>
    public static Task<LocalNode> LaunchAsync(string nodeDll, string nodeId, int port, int peerPort, IReadOnlyDictionary<string, string> environment,
        NodeUser? user = null) =>
        new LocalNode(nodeDll, Directory.CreateTempSubdirectory("nodenomad-load-"), nodeId, port, peerPort, environment, user).ThenAsync(node =>
        {
            node.process.Start();
            node.process.BeginOutputReadLine();
            node.process.BeginErrorReadLine();
            return Task.CompletedTask;
        });

    /// <summary>Kills the node with SIGKILL, as a crash would, and waits for it to be gone; its data folder stays.</summary>
    public async Task KillAsync()
    {
        if (!HasExited())
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync(CancellationToken.None);
        }
    }

    /// <summary>Starts the node again after <see cref="KillAsync"/>, on the same ports and data, and waits until it is ready.</summary>
    public async Task RestartAsync(CancellationToken cancellationToken)
    {
        var start = process.StartInfo;
        process.Dispose();
        process = NewProcess(start);
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        await WaitReadyAsync(cancellationToken);
    }

    /// <summary>Waits until <c>/health/ready</c> answers 200, which it does once the node knows a leader.</summary>
    public async Task WaitReadyAsync(CancellationToken cancellationToken)
    {
        if (!await Readiness.WaitAsync(new Uri(Url, "health/ready"), StartLimit, () => process.HasExited, cancellationToken))
        {
            var state = process.HasExited ? $"exited with code {process.ExitCode}" : $"was not ready within {StartLimit.TotalSeconds} s";
            throw new BenchSetupException($"the node {NodeId} {state}. Its last output:\n{LastOutput}");
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

    /// <summary>
    /// <paramref name="count"/> distinct ports free on 127.0.0.1 right now. A node binds its ports a moment later,
    /// which is good enough on a quiet machine.
    /// </summary>
    private Process NewProcess(ProcessStartInfo start)
    {
        var started = new Process { StartInfo = start };
        started.OutputDataReceived += (_, line) => Keep(line.Data);
        started.ErrorDataReceived += (_, line) => Keep(line.Data);
        return started;
    }

    public static int[] FreePorts(int count)
    {
        var listeners = new List<TcpListener>();
        try
        {
            // All are held open until every port is known, so no port is handed out twice.
            for (var i = 0; i < count; i++)
            {
                listeners.Add(new TcpListener(IPAddress.Loopback, 0));
                listeners[i].Start();
            }

            return [.. listeners.Select(listener => ((IPEndPoint)listener.LocalEndpoint).Port)];
        }
        finally
        {
            foreach (var listener in listeners)
            {
                listener.Dispose();
            }
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
