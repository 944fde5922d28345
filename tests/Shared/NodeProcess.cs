using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace NodeNomad.Testing;

/// <summary>
/// A real NodeNomad node process on 127.0.0.1, started from the build output of src/NodeNomad.Node, for
/// tests that need a process to kill. Disposing it kills the process and removes its data folder unless the
/// folder was given by the test.
/// </summary>
public sealed class NodeProcess : IAsyncDisposable
{
    private readonly StringBuilder _output = new();
    private readonly bool _ownsDataDir;
    private Process? _process;

    private NodeProcess(string dataDir, bool ownsDataDir, int port, int peerPort, IReadOnlyDictionary<string, string> environment)
    {
        DataDir = dataDir;
        _ownsDataDir = ownsDataDir;
        Port = port;
        PeerPort = peerPort;
        Environment = environment;
    }

    /// <summary>The peer port.</summary>
    public int PeerPort { get; }

    /// <summary>Command-line arguments the node runs with.</summary>
    public IReadOnlyList<string> Arguments { get; private init; } = [];

    /// <summary>The node's id.</summary>
    public string NodeId => Environment.TryGetValue("NODE_ID", out var id) ? id : "node-1";

    /// <summary>The node's data folder.</summary>
    public string DataDir { get; }

    /// <summary>The client API port.</summary>
    public int Port { get; }

    /// <summary>Whether the node serves TLS (it was given a certificate).</summary>
    public bool Tls => Environment.ContainsKey(NodeNomad.Contracts.TlsFiles.CertFileKey);

    /// <summary>The client API's base address (https when the node serves TLS).</summary>
    public Uri BaseAddress => new($"{(Tls ? "https" : "http")}://127.0.0.1:{Port}");

    /// <summary>A handler for calls to the node: trusting the authority it was given (<c>TLS_CA_FILE</c>) when it serves TLS.</summary>
    public HttpMessageHandler Handler() => TestCertificates.HandlerFor(Environment);

    /// <summary>Extra environment variables the node runs with.</summary>
    public IReadOnlyDictionary<string, string> Environment { get; }

    /// <summary>Everything the process wrote to stdout and stderr so far.</summary>
    public string Output
    {
        get
        {
            lock (_output)
            {
                return _output.ToString();
            }
        }
    }

    /// <summary>The exit code once the process has ended.</summary>
    public int? ExitCode => _process is { HasExited: true } p ? p.ExitCode : null;

    /// <summary>Starts a node and waits until it is ready.</summary>
    public static async Task<NodeProcess> StartAsync(
        string? dataDir = null,
        IReadOnlyDictionary<string, string>? environment = null,
        bool waitReady = true,
        int? port = null,
        int? peerPort = null,
        params string[] arguments)
    {
        var owns = dataDir is null;
        dataDir ??= Directory.CreateTempSubdirectory("nodenomad-node-").FullName;
        var node = new NodeProcess(dataDir, owns, port ?? FreePort(), peerPort ?? FreePort(), environment ?? new Dictionary<string, string>())
        {
            Arguments = arguments,
        };
        node.Launch();
        if (waitReady)
        {
            await node.WaitReadyAsync();
        }

        return node;
    }

    /// <summary>Starts the same node again (same port, data folder and settings) after it was killed or stopped.</summary>
    public async Task RestartAsync(bool waitReady = true)
    {
        if (_process is { HasExited: false })
        {
            throw new InvalidOperationException("The node is still running.");
        }

        _process?.Dispose();
        Launch();
        if (waitReady)
        {
            await WaitReadyAsync();
        }
    }

    /// <summary>Whether the process is running.</summary>
    public bool IsRunning => _process is { HasExited: false };

    /// <summary>Kills the process at once (SIGKILL): no shutdown code runs.</summary>
    public void Kill() => Kill(out _);

    /// <summary>
    /// Kills the process at once (SIGKILL), and says when: <paramref name="killedAt"/> is taken as soon as the signal is
    /// sent, before the wait for the exit, for tests that judge what a node died in the middle of.
    /// </summary>
    public void Kill(out DateTimeOffset killedAt)
    {
        killedAt = DateTimeOffset.UtcNow;
        if (_process is { HasExited: false } p)
        {
            // The node is the process itself (no children): the signal goes at once, without a walk of a process tree.
            p.Kill();
            killedAt = DateTimeOffset.UtcNow;
            p.WaitForExit();
        }
    }

    /// <summary>
    /// Freezes the process where it stands (SIGSTOP): it keeps its sockets and files and runs nothing, so its peers see
    /// a node that stopped answering, until <see cref="ResumeAsync"/>.
    /// </summary>
    public Task PauseAsync() => SignalAsync("STOP");

    /// <summary>Lets a process frozen by <see cref="PauseAsync"/> run on (SIGCONT).</summary>
    public Task ResumeAsync() => SignalAsync("CONT");

    /// <summary>Waits for the process to end by itself and returns its exit code.</summary>
    public async Task<int> WaitForExitAsync(TimeSpan timeout)
    {
        using var cts = new CancellationTokenSource(timeout);
        await _process!.WaitForExitAsync(cts.Token);
        return _process.ExitCode;
    }

    /// <summary>Polls <c>/health/ready</c> until it answers 200.</summary>
    public async Task WaitReadyAsync(TimeSpan? timeout = null)
    {
        using var http = new HttpClient(Handler()) { BaseAddress = BaseAddress, Timeout = TimeSpan.FromSeconds(2) };
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(60));
        while (DateTime.UtcNow < deadline)
        {
            if (_process!.HasExited)
            {
                throw new InvalidOperationException($"The node exited with code {_process.ExitCode} before it was ready. Output:\n{Output}");
            }

            try
            {
                using var response = await http.GetAsync(new Uri("/health/ready", UriKind.Relative));
                if (response.StatusCode == HttpStatusCode.OK)
                {
                    return;
                }
            }
            catch (HttpRequestException)
            {
            }
            catch (TaskCanceledException)
            {
            }

            await Task.Delay(100);
        }

        throw new TimeoutException($"The node was not ready in time. Output:\n{Output}");
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        Kill();
        _process?.Dispose();
        if (_ownsDataDir)
        {
            await Task.Run(() =>
            {
                try
                {
                    Directory.Delete(DataDir, recursive: true);
                }
                catch (IOException)
                {
                }
            });
        }
    }

    /// <summary>The built node assembly: src/NodeNomad.Node/bin/{configuration}/net10.0/NodeNomad.Node.dll.</summary>
    public static string NodeAssembly()
    {
        var baseDir = AppContext.BaseDirectory;
        var configuration = baseDir.Contains($"{Path.DirectorySeparatorChar}Release{Path.DirectorySeparatorChar}", StringComparison.Ordinal) ? "Release" : "Debug";
        var dir = new DirectoryInfo(baseDir);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "NodeNomad.sln")))
        {
            dir = dir.Parent;
        }

        if (dir is null)
        {
            throw new InvalidOperationException($"No NodeNomad.sln above {baseDir}.");
        }

        var path = Path.Combine(dir.FullName, "src", "NodeNomad.Node", "bin", configuration, "net10.0", "NodeNomad.Node.dll");
        return File.Exists(path) ? path : throw new FileNotFoundException("Build src/NodeNomad.Node first.", path);
    }

    /// <summary>
    /// A TCP port free on 127.0.0.1, never handed out twice in this process. Ports come from below the kernel's
    /// ephemeral range (32768 and up), so a port chosen here is not taken meanwhile by the local end of some
    /// outgoing connection before the node binds it; each test process starts at its own offset.
    /// </summary>
    public static int FreePort()
    {
        while (true)
        {
            var candidate = LowestPort + (int)((uint)Interlocked.Increment(ref _nextPort) % PortSpan);
            try
            {
                using var listener = new TcpListener(IPAddress.Loopback, candidate);
                listener.Start();
                return candidate;
            }
            catch (SocketException)
            {
                // In use by something else: try the next one.
            }
        }
    }

    private const int LowestPort = 20_000;
    private const int PortSpan = 12_000;
    private static int _nextPort = Random.Shared.Next(PortSpan);

    private void Launch()
    {
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = DataDir,
        };
        start.ArgumentList.Add(NodeAssembly());
        foreach (var argument in Arguments)
        {
            start.ArgumentList.Add(argument);
        }

        start.Environment["NODE_ID"] = "node-1";
        start.Environment["NODE_HOST"] = "127.0.0.1";
        start.Environment["NODE_PORT"] = Port.ToString(System.Globalization.CultureInfo.InvariantCulture);
        start.Environment["PEER_PORT"] = PeerPort.ToString(System.Globalization.CultureInfo.InvariantCulture);
        start.Environment["DATA_DIR"] = DataDir;
        start.Environment["ASPNETCORE_ENVIRONMENT"] = "Production";
        foreach (var (key, value) in Environment)
        {
            start.Environment[key] = value;
        }

        var process = new Process { StartInfo = start };
        process.OutputDataReceived += (_, e) => Append(e.Data);
        process.ErrorDataReceived += (_, e) => Append(e.Data);
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        _process = process;
    }

    private async Task SignalAsync(string signal)
    {
        if (_process is not { HasExited: false } target)
        {
            throw new InvalidOperationException("The node is not running.");
        }

        using var kill = Process.Start(new ProcessStartInfo("kill", ["-" + signal, target.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]) { UseShellExecute = false })!;
        await kill.WaitForExitAsync();
        if (kill.ExitCode != 0)
        {
            throw new InvalidOperationException($"kill -{signal} {target.Id} exited with {kill.ExitCode}.");
        }
    }

    private void Append(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (_output)
        {
            _output.AppendLine(line);
        }
    }
}
