using System.Globalization;
using System.Security.Cryptography;

namespace NodeNomad.Launcher;

/// <summary>
/// The processes of one local cluster: node-1..node-N and, when built and wanted, the console. Starts them, waits until
/// every shard has a leader, and stops them all when asked or when one of them exits.
/// </summary>
internal sealed class LocalFleet
{
    private static readonly TimeSpan ReadyLimit = TimeSpan.FromSeconds(90);
    private static readonly TimeSpan Grace = TimeSpan.FromSeconds(10);

    private readonly LaunchOptions options;
    private readonly RepositoryLayout layout;
    private readonly TextWriter output;
    private readonly List<ChildProcess> children = [];

    public LocalFleet(LaunchOptions options, RepositoryLayout layout, TextWriter output)
    {
        this.options = options;
        this.layout = layout;
        this.output = output;
    }

    /// <summary>Runs the cluster until <paramref name="stop"/> fires (exit 0) or something fails (exit 1).</summary>
    public async Task<int> RunAsync(CancellationToken stop)
    {
        if (!File.Exists(layout.NodeDll))
        {
            return Fail($"the node's build is missing ({layout.NodeDll}). Build it with:\n  dotnet build -c {layout.Configuration} {Path.Combine(layout.Root, "src", "NodeNomad.Node")}");
        }

        var console = options.Console && File.Exists(layout.ConsoleDll);
        if (PortCheck.FirstBusy(Ports(console)) is { } busy)
        {
            return Fail($"port {busy.Port} ({busy.Purpose}) is in use by another process. Stop it, or choose other ports with --base-port / --peer-base-port.");
        }

        var data = Path.GetFullPath(options.DataFolder);
        var secret = ClusterSecret.LoadOrCreate(data);
        try
        {
            StartNodes(data, secret, console);
            var ready = await ShardReadiness.WaitAsync(ClientUrl(1), ReadyLimit, ExitedChild, stop);
            if (ready is not null)
            {
                foreach (var child in children)
                {
                    output.WriteLine($"  {child.Name}: {child.LogPath}\n    {child.LastLines(5).Replace("\n", "\n    ", StringComparison.Ordinal)}");
                }

                return Fail($"the cluster did not become ready: {ready}");
            }

            var password = console ? StartConsole(data, secret) : null;
            Announce(console, password);
            var exited = await Task.WhenAny(children.Select(async c => { await c.WaitForExitAsync(stop); return c; }));
            if (exited.IsCompletedSuccessfully)
            {
                var child = await exited;
                return Fail($"{child.Name} exited with code {child.ExitCode}; its last output ({child.LogPath}):\n{child.LastLines(20)}");
            }

            return Usage.Stopped;
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
            return Usage.Stopped;
        }
        finally
        {
            await StopAsync();
        }
    }

    private void StartNodes(string data, string secret, bool console)
    {
        var members = string.Join(',', Enumerable.Range(1, options.Nodes).Select(k => Invariant($"node-{k}=127.0.0.1:{options.PeerPort(k)}")));
        for (var k = 1; k <= options.Nodes; k++)
        {
            var id = Invariant($"node-{k}");
            var environment = new Dictionary<string, string>
            {
                ["NODE_ID"] = id,
                ["NODE_HOST"] = "127.0.0.1",
                ["NODE_PORT"] = Invariant($"{options.ClientPort(k)}"),
                ["PEER_PORT"] = Invariant($"{options.PeerPort(k)}"),
                ["NODE_URL"] = ClientUrl(k).ToString().TrimEnd('/'),
                ["DATA_DIR"] = Path.Combine(data, id),
                ["CLUSTER_NODES"] = members,
                ["CLUSTER_SECRET"] = secret,
                ["SHARD_COUNT"] = Invariant($"{options.Shards}"),
                ["REPLICATION_FACTOR"] = Invariant($"{options.Replication}"),
                ["STORAGE"] = options.Storage,
            };
            if (options.MartenConnection is { } connection)
            {
                environment["MARTEN_CONNECTION"] = connection;
            }

            if (console)
            {
                environment["CONSOLE_URL"] = ConsoleUrl.ToString().TrimEnd('/');
            }

            children.Add(ChildProcess.Start(id, layout.NodeDll, [], environment, Path.Combine(data, "logs", $"{id}.log")));
        }
    }

    /// <summary>Starts the console; returns the admin password when this program made it up (null when taken from the environment).</summary>
    private string? StartConsole(string data, string secret)
    {
        var given = Environment.GetEnvironmentVariable("CONSOLE_ADMIN_PASSWORD");
        var password = string.IsNullOrEmpty(given) ? Convert.ToBase64String(RandomNumberGenerator.GetBytes(12)) : given;
        var environment = new Dictionary<string, string>
        {
            ["CONSOLE_ADMIN_PASSWORD"] = password,
            ["CLUSTER_SECRET"] = secret,
            ["CLUSTER_URLS"] = string.Join(',', Enumerable.Range(1, options.Nodes).Select(k => ClientUrl(k).ToString().TrimEnd('/'))),
        };
        children.Add(ChildProcess.Start("console", layout.ConsoleDll, ["--urls", ConsoleUrl.ToString().TrimEnd('/')], environment, Path.Combine(data, "logs", "console.log")));
        return string.IsNullOrEmpty(given) ? password : null;
    }

    private void Announce(bool console, string? password)
    {
        output.WriteLine(Invariant($"NodeNomad cluster ready: {options.Nodes} nodes, {options.Shards} shards, replication {options.Replication}, storage {options.Storage}."));
        for (var k = 1; k <= options.Nodes; k++)
        {
            var child = children[k - 1];
            output.WriteLine(Invariant($"  {child.Name}  {ClientUrl(k).ToString().TrimEnd('/')}  peer 127.0.0.1:{options.PeerPort(k)}  pid {child.Id}  log {child.LogPath}"));
        }

        if (console)
        {
            output.WriteLine($"  console  {ConsoleUrl.ToString().TrimEnd('/')}  pid {children[^1].Id}  log {children[^1].LogPath}");
            output.WriteLine(password is null ? "  console password: CONSOLE_ADMIN_PASSWORD from the environment" : $"  console password: {password}");
        }
        else
        {
            output.WriteLine(options.Console
                ? $"  console: not started, its build is missing ({layout.ConsoleDll})"
                : "  console: not started (--no-console)");
        }

        var node = ClientUrl(1).ToString().TrimEnd('/');
        output.WriteLine("Try:");
        output.WriteLine($$"""  curl -X POST {{node}}/api/v1/set -H 'Content-Type: application/json' -d '{"key":"hello","value":"world"}'""");
        output.WriteLine($"  curl {node}/api/v1/get/hello");
        output.WriteLine($"  curl {node}/api/v1/cluster/shards");
        output.WriteLine("Press Ctrl+C to stop the cluster.");
        output.Flush();
    }

    private async Task StopAsync()
    {
        if (children.Count == 0)
        {
            return;
        }

        output.WriteLine($"Stopping {children.Count} processes...");
        foreach (var child in children)
        {
            child.Terminate();
        }

        using var grace = new CancellationTokenSource(Grace);
        try
        {
            await Task.WhenAll(children.Select(c => c.WaitForExitAsync(grace.Token)));
        }
        catch (OperationCanceledException)
        {
            foreach (var child in children.Where(c => !c.HasExited))
            {
                output.WriteLine($"  {child.Name} did not stop within {Grace.TotalSeconds:0} s; killing it.");
                child.Kill();
            }

            await Task.WhenAll(children.Select(c => c.WaitForExitAsync(CancellationToken.None)));
        }

        foreach (var child in children)
        {
            child.Dispose();
        }

        output.WriteLine("Stopped.");
        output.Flush();
        children.Clear();
    }

    private string? ExitedChild() => children.FirstOrDefault(c => c.HasExited) is { } child
        ? $"{child.Name} exited with code {child.ExitCode} while starting"
        : null;

    private IEnumerable<(int Port, string Purpose)> Ports(bool console)
    {
        if (console)
        {
            yield return (options.BasePort, "the console");
        }

        for (var k = 1; k <= options.Nodes; k++)
        {
            yield return (options.ClientPort(k), Invariant($"node-{k}'s client API"));
            yield return (options.PeerPort(k), Invariant($"node-{k}'s peer API"));
        }
    }

    private Uri ClientUrl(int node) => new(Invariant($"http://localhost:{options.ClientPort(node)}/"));

    private Uri ConsoleUrl => new(Invariant($"http://localhost:{options.BasePort}/"));

    private int Fail(string message)
    {
        output.Flush();
        Console.Error.WriteLine($"NodeNomad.Launcher cannot run the cluster: {message}");
        return Usage.Failed;
    }

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
