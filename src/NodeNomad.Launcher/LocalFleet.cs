using System.Globalization;
using System.Security.Cryptography;
using System.Threading.Channels;
using NodeNomad.Launcher.Control;

namespace NodeNomad.Launcher;

/// <summary>
/// The processes of one local cluster: node-1..node-N and, when built and wanted, the console. Starts them and waits
/// until every shard has a leader; from then on a process that exits is reported while the others serve on, and is
/// started again on request (a key, or <c>launcher restart</c> through the control socket) or after
/// <see cref="LaunchOptions.RestartDelay"/>. Stops them all when asked.
/// </summary>
internal sealed partial class LocalFleet
{
    private static readonly TimeSpan ReadyLimit = TimeSpan.FromSeconds(90);

    /// <summary>How long an added node has to be recorded by the cluster before its <c>add</c> is answered as failed.</summary>
    public static readonly TimeSpan JoinLimit = TimeSpan.FromSeconds(90);
    private static readonly TimeSpan Grace = TimeSpan.FromSeconds(10);

    private readonly LaunchOptions options;
    private readonly RepositoryLayout layout;
    private readonly TextWriter output;
    private readonly string data;
    private readonly List<FleetMember> nodes = [];
    private readonly Channel<FleetEvent> events = Channel.CreateUnbounded<FleetEvent>(new UnboundedChannelOptions { SingleReader = true });
    private FleetMember? console;
    private string secret = string.Empty;
    private bool withConsole;

    // True while the loop runs: a request that comes while the cluster is starting or stopping is refused at once.
    private volatile bool supervising;
    private bool keys;
    private CancellationToken stopping;

    public LocalFleet(LaunchOptions options, RepositoryLayout layout, TextWriter output)
    {
        this.options = options;
        this.layout = layout;
        this.output = output;
        data = Path.GetFullPath(options.DataFolder);
    }

    private IEnumerable<FleetMember> Members => console is null ? nodes : [.. nodes, console];

    /// <summary>Runs the cluster until <paramref name="stop"/> fires (exit 0), or until it cannot start (exit 1).</summary>
    public async Task<int> RunAsync(CancellationToken stop)
    {
        if (!File.Exists(layout.NodeDll))
        {
            return Fail($"the node's build is missing ({layout.NodeDll}). Build it with:\n  dotnet build -c {layout.Configuration} {Path.Combine(layout.Root, "src", "NodeNomad.Node")}");
        }

        var withConsole = options.Console && File.Exists(layout.ConsoleDll);
        var socket = ControlSocket.PathFor(data);
        if (await ControlClient.AnswersAsync(socket))
        {
            return Fail($"another launcher is running with the data folder {data} (it answers on {socket}). Stop it first, or choose another --data.");
        }

        if (PortCheck.FirstBusy(Ports(withConsole)) is { } busy)
        {
            return Fail($"port {busy.Port} ({busy.Purpose}) is in use by another process. Stop it, or choose other ports with --base-port / --peer-base-port.");
        }

        var secret = ClusterSecret.LoadOrCreate(data);
        if (ControlServer.Open(socket, RequestAsync, out var problem) is not { } control)
        {
            return Fail(problem);
        }

        await using (control)
        {
            return await RunMembersAsync(secret, withConsole, stop);
        }
    }

    private async Task<int> RunMembersAsync(string secret, bool withConsole, CancellationToken stop)
    {
        stopping = stop;
        try
        {
            var password = AddMembers(secret, withConsole);
            foreach (var node in nodes)
            {
                Start(node);
            }

            var ready = await ShardReadiness.WaitAsync(ClientUrl(1), ReadyLimit, ExitedWhileStarting, stop);
            if (ready is not null)
            {
                foreach (var node in nodes)
                {
                    output.WriteLine($"  {node.Name}: {node.LogPath}\n    {LastLines(node, 5)}");
                }

                return Fail($"the cluster did not become ready: {ready}");
            }

            if (console is not null)
            {
                Start(console);
            }

            keys = TerminalKeys.Available();
            Announce(password);
            if (keys)
            {
                TerminalKeys.Listen(key => events.Writer.TryWrite(new FleetEvent.KeyPressed(key)));
            }

            supervising = true;
            await SuperviseAsync(stop);
            return Usage.Stopped;
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
            return Usage.Stopped;
        }
        finally
        {
            supervising = false;
            events.Writer.TryComplete();
            while (events.Reader.TryRead(out var left))
            {
                if (left is FleetEvent.Requested requested)
                {
                    requested.Reply.TrySetResult(new ControlReply(false, "The launcher is stopping the cluster."));
                }
            }

            await StopAsync();
        }
    }

    /// <summary>Adds node-1..node-N and the console (not started); returns the console's admin password when this program made it up.</summary>
    private string? AddMembers(string secret, bool withConsole)
    {
        this.secret = secret;
        this.withConsole = withConsole;
        for (var k = 1; k <= options.Nodes; k++)
        {
            nodes.Add(NodeMember(k));
        }

        if (!withConsole)
        {
            return null;
        }

        var given = Environment.GetEnvironmentVariable("CONSOLE_ADMIN_PASSWORD");
        var password = string.IsNullOrEmpty(given) ? Convert.ToBase64String(RandomNumberGenerator.GetBytes(12)) : given;
        var consoleEnvironment = new Dictionary<string, string>
        {
            ["CONSOLE_ADMIN_PASSWORD"] = password,
            ["CLUSTER_SECRET"] = secret,
            ["CLUSTER_URLS"] = string.Join(',', Enumerable.Range(1, options.Nodes).Select(k => ClientUrl(k).ToString().TrimEnd('/'))),
        };

        // The console is kept like a node: when it exits it is reported and comes back on request (key c, `restart
        // console`) or after --restart's delay, not otherwise. It holds nothing of its own (it reads the nodes and keeps
        // the password given here), so starting it again is always safe; but a console that exits by itself is broken or
        // misconfigured, and starting it again and again unasked would bury that report.
        console = new FleetMember(
            "console", 'c', ConsoleUrl, [(options.BasePort, "the console")], layout.ConsoleDll, ["--urls", ConsoleUrl.ToString().TrimEnd('/')],
            consoleEnvironment, Path.Combine(data, "logs", "console.log"));
        return string.IsNullOrEmpty(given) ? password : null;
    }

    /// <summary>
    /// node-k as the launcher runs it: its ports by the port scheme, its data folder and log under --data. The first
    /// --nodes create the cluster together; a node past them (added) is not in their list, so it asks them to record it.
    /// </summary>
    private FleetMember NodeMember(int k)
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
            ["CLUSTER_NODES"] = string.Join(',', Enumerable.Range(1, options.Nodes).Select(n => Invariant($"node-{n}=127.0.0.1:{options.PeerPort(n)}"))),
            ["CLUSTER_SECRET"] = secret,
            ["SHARD_COUNT"] = Invariant($"{options.Shards}"),
            ["REPLICATION_FACTOR"] = Invariant($"{options.Replication}"),
            ["STORAGE"] = options.Storage,
            // Short (30 s unless --down-after says otherwise), so that a node killed in the launcher has its replicas
            // re-created elsewhere while one watches.
            ["DOWN_AFTER"] = Invariant($"{(long)options.DownAfter.TotalMilliseconds}ms"),
        };
        if (options.MartenConnection is { } connection)
        {
            environment["MARTEN_CONNECTION"] = connection;
        }

        if (withConsole)
        {
            environment["CONSOLE_URL"] = ConsoleUrl.ToString().TrimEnd('/');
        }

        return new FleetMember(
            id, k <= 9 ? (char)('0' + k) : null, ClientUrl(k), [.. NodePorts(k)], layout.NodeDll, [], environment, Path.Combine(data, "logs", $"{id}.log"));
    }

    private void Start(FleetMember member)
    {
        var process = member.Start();
        _ = ReportExitAsync(member, process, process.WaitForExitAsync(CancellationToken.None));
    }

    private async Task ReportExitAsync(FleetMember member, ChildProcess process, Task exited)
    {
        await exited;
        events.Writer.TryWrite(new FleetEvent.Exited(member, process));
    }

    private void Announce(string? password)
    {
        output.WriteLine(Invariant($"NodeNomad cluster ready: {options.Nodes} nodes, {options.Shards} shards, replication {options.Replication}, storage {options.Storage}, DOWN_AFTER {Words(options.DownAfter)}."));
        for (var k = 1; k <= options.Nodes; k++)
        {
            var node = nodes[k - 1];
            output.WriteLine(Invariant($"  {node.Name}  {node.Url}  peer 127.0.0.1:{options.PeerPort(k)}  pid {node.Process?.Id}  log {node.LogPath}"));
        }

        if (console is not null)
        {
            output.WriteLine($"  console  {console.Url}  pid {console.Process?.Id}  log {console.LogPath}");
            output.WriteLine(password is null ? "  console password: CONSOLE_ADMIN_PASSWORD from the environment" : $"  console password: {password}");
        }
        else
        {
            output.WriteLine(options.Console
                ? $"  console: not started, its build is missing ({layout.ConsoleDll})"
                : "  console: not started (--no-console)");
        }

        var node1 = nodes[0].Url;
        output.WriteLine("Try:");
        output.WriteLine($$"""  curl -X POST {{node1}}/api/v1/set -H 'Content-Type: application/json' -d '{"key":"hello","value":"world"}'""");
        output.WriteLine($"  curl {node1}/api/v1/get/hello");
        output.WriteLine($"  curl {node1}/api/v1/cluster/shards");
        output.WriteLine(options.RestartDelay is { } delay
            ? $"A process that exits is started again after {Words(delay)}. From another terminal, in this folder:"
            : "A process that exits stays down until restarted. From another terminal, in this folder:");
        output.WriteLine($"  {Command("status", null)}");
        output.WriteLine($"  {Command("restart", "node-1")}   (or stop node-1)");
        output.WriteLine($"  {Command("add", null)}   (starts node-{nodes.Count + 1}, which joins the cluster)");
        if (keys)
        {
            output.WriteLine(TerminalKeys.Help(nodes.Count));
        }

        output.WriteLine("Press Ctrl+C to stop the cluster.");
        output.Flush();
    }

    private async Task StopAsync()
    {
        var running = Members.Where(m => m.Process is not null).ToList();
        if (running.Count == 0)
        {
            return;
        }

        output.WriteLine($"Stopping {running.Count} processes...");
        foreach (var member in running)
        {
            member.Process!.Terminate();
        }

        using var grace = new CancellationTokenSource(Grace);
        try
        {
            await Task.WhenAll(running.Select(m => m.Process!.WaitForExitAsync(grace.Token)));
        }
        catch (OperationCanceledException)
        {
            foreach (var member in running.Where(m => !m.Process!.HasExited))
            {
                output.WriteLine($"  {member.Name} did not stop within {Grace.TotalSeconds:0} s; killing it.");
                member.Process!.Kill();
            }

            await Task.WhenAll(running.Select(m => m.Process!.WaitForExitAsync(CancellationToken.None)));
        }

        foreach (var member in running)
        {
            var (how, _, requester) = member.Ended();
            requester?.TrySetResult(new ControlReply(true, $"{member.Name} stopped with the cluster ({how})."));
        }

        output.WriteLine("Stopped.");
        output.Flush();
    }

    private string? ExitedWhileStarting() => nodes.FirstOrDefault(n => n.Process is { HasExited: true }) is { Process: { } process } node
        ? $"{node.Name} exited ({ExitReason.Describe(process.ExitCode)}) while starting"
        : null;

    private IEnumerable<(int Port, string Purpose)> Ports(bool withConsole)
    {
        if (withConsole)
        {
            yield return (options.BasePort, "the console");
        }

        for (var k = 1; k <= options.Nodes; k++)
        {
            foreach (var port in NodePorts(k))
            {
                yield return port;
            }
        }
    }

    private IEnumerable<(int Port, string Purpose)> NodePorts(int node)
    {
        yield return (options.ClientPort(node), Invariant($"node-{node}'s client API"));
        yield return (options.PeerPort(node), Invariant($"node-{node}'s peer API"));
    }

    /// <summary>The command line that sends a request to this launcher from another terminal in the same folder.</summary>
    private string Command(string verb, string? target)
    {
        var command = $"dotnet run --project src/NodeNomad.Launcher -- {verb}{(target is null ? "" : $" {target}")}";
        return options.DataFolder == new LaunchOptions().DataFolder ? command : $"{command} --data '{data}'";
    }

    private Uri ClientUrl(int node) => new(Invariant($"http://localhost:{options.ClientPort(node)}/"));

    private Uri ConsoleUrl => new(Invariant($"http://localhost:{options.BasePort}/"));

    private int Fail(string message)
    {
        output.Flush();
        Console.Error.WriteLine($"NodeNomad.Launcher cannot run the cluster: {message}");
        return Usage.Failed;
    }

    private static string LastLines(FleetMember member, int count, bool stackFrames = true) =>
        ChildProcess.LastLines(member.LogPath, count, stackFrames).Replace("\n", "\n    ", StringComparison.Ordinal);

    private static string Words(TimeSpan delay) => delay < TimeSpan.FromSeconds(1)
        ? Invariant($"{delay.TotalMilliseconds:0} ms")
        : Invariant($"{delay.TotalSeconds:0.###} s");

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
