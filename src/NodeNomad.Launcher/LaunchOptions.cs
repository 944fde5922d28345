using System.Globalization;
using System.Net;

namespace NodeNomad.Launcher;

/// <summary>What the launcher starts, read from its command line.</summary>
internal sealed record LaunchOptions
{
    public const string FileStorage = "file";
    public const string MartenStorage = "marten";

    /// <summary>Node processes, node-1 to node-N.</summary>
    public int Nodes { get; init; } = 5;

    /// <summary>SHARD_COUNT of every node.</summary>
    public int Shards { get; init; } = 8;

    /// <summary>REPLICATION_FACTOR of every node; at most <see cref="Nodes"/>.</summary>
    public int Replication { get; init; } = 3;

    /// <summary>STORAGE of every node: file or marten.</summary>
    public string Storage { get; init; } = FileStorage;

    /// <summary>MARTEN_CONNECTION; required with marten storage.</summary>
    public string? MartenConnection { get; init; }

    /// <summary>The folder holding every node's data folder and the cluster's secret.</summary>
    public string DataFolder { get; init; } = Path.Combine("data", "launcher");

    /// <summary>node-k's client API listens on base + k; the console on base itself.</summary>
    public int BasePort { get; init; } = 3000;

    /// <summary>node-k's peer API listens on peer base + k.</summary>
    public int PeerBasePort { get; init; } = 4000;

    /// <summary>Whether the console is started (when its build exists).</summary>
    public bool Console { get; init; } = true;

    /// <summary>How long after a process exits on its own it is started again; null: only on request.</summary>
    public TimeSpan? RestartDelay { get; init; }

    /// <summary>DOWN_AFTER of every node: how long a node may be silent before its replicas are re-created elsewhere.</summary>
    public TimeSpan DownAfter { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>True when <c>--help</c> was asked for.</summary>
    public bool Help { get; init; }

    public int ClientPort(int node) => BasePort + node;

    public int PeerPort(int node) => PeerBasePort + node;

    /// <summary>Reads the command line; on failure <paramref name="error"/> says which argument and why.</summary>
    public static bool TryParse(IReadOnlyList<string> args, out LaunchOptions options, out string error)
    {
        options = new LaunchOptions();
        error = string.Empty;
        for (var i = 0; i < args.Count; i++)
        {
            var name = args[i];
            if (name is "-h" or "--help")
            {
                options = options with { Help = true };
                continue;
            }

            if (name == "--no-console")
            {
                options = options with { Console = false };
                continue;
            }

            if (name is not ("--nodes" or "--shards" or "--replication" or "--storage" or "--marten-connection" or "--data" or "--base-port" or "--peer-base-port" or "--restart" or "--down-after"))
            {
                error = $"Unknown option '{name}'.";
                return false;
            }

            if (i + 1 >= args.Count)
            {
                error = $"{name} needs a value.";
                return false;
            }

            var value = args[++i];
            switch (name)
            {
                case "--nodes" when Integer(name, value, 1, 9, out var nodes, ref error):
                    options = options with { Nodes = nodes };
                    break;
                case "--shards" when Integer(name, value, 1, 1024, out var shards, ref error):
                    options = options with { Shards = shards };
                    break;
                case "--replication" when Integer(name, value, 1, 9, out var replication, ref error):
                    options = options with { Replication = replication };
                    break;
                case "--base-port" when Integer(name, value, 1024, 65000, out var basePort, ref error):
                    options = options with { BasePort = basePort };
                    break;
                case "--peer-base-port" when Integer(name, value, 1024, 65000, out var peerBasePort, ref error):
                    options = options with { PeerBasePort = peerBasePort };
                    break;
                case "--storage" when value is FileStorage or MartenStorage:
                    options = options with { Storage = value };
                    break;
                case "--storage":
                    error = $"--storage must be '{FileStorage}' or '{MartenStorage}', not '{value}'.";
                    return false;
                case "--restart" when Delay(value) is { } delay:
                    options = options with { RestartDelay = delay };
                    break;
                case "--restart":
                    error = $"--restart must be a delay from 0s to 1h with its unit, such as 5s, 500ms or 2m; not '{value}'.";
                    return false;
                case "--down-after" when Delay(value) is { } downAfter && downAfter >= TimeSpan.FromSeconds(1):
                    options = options with { DownAfter = downAfter };
                    break;
                case "--down-after":
                    error = $"--down-after must be a delay from 1s to 1h with its unit, such as 30s, 1500ms or 5m; not '{value}'.";
                    return false;
                case "--marten-connection" when !string.IsNullOrWhiteSpace(value):
                    options = options with { MartenConnection = value };
                    break;
                case "--data" when !string.IsNullOrWhiteSpace(value):
                    options = options with { DataFolder = value };
                    break;
                case "--marten-connection" or "--data":
                    error = $"{name} must not be empty.";
                    return false;
                default:
                    return false;
            }
        }

        error = options.Problem() ?? string.Empty;
        return error.Length == 0;
    }

    private string? Problem()
    {
        if (Replication > Nodes)
        {
            return $"--replication {Replication} needs at least as many nodes; --nodes is {Nodes}.";
        }

        if (Storage == MartenStorage && MartenConnection is null)
        {
            return "--storage marten needs --marten-connection \"Host=...;Database=...;Username=...;Password=...\".";
        }

        if (Storage == FileStorage && MartenConnection is not null)
        {
            return "--marten-connection is only used with --storage marten.";
        }

        return PortsProblem(Nodes);
    }

    /// <summary>
    /// Why node-1..node-<paramref name="nodes"/> cannot have their ports (a port past 65535, or the client range
    /// base..base+N, console on base, overlapping the peer range); null when they can. Checked again for each node added.
    /// </summary>
    public string? PortsProblem(int nodes)
    {
        var clientLow = BasePort;
        var clientHigh = BasePort + nodes;
        var peerLow = PeerBasePort + 1;
        var peerHigh = PeerBasePort + nodes;
        if (Math.Max(clientHigh, peerHigh) > IPEndPoint.MaxPort)
        {
            return $"node-{nodes}'s ports would be {clientHigh} and {peerHigh}, past {IPEndPoint.MaxPort}; choose a lower --base-port or --peer-base-port.";
        }

        if (peerLow <= clientHigh && clientLow <= peerHigh)
        {
            return $"The client ports {clientLow}-{clientHigh} and the peer ports {peerLow}-{peerHigh} overlap; choose --base-port and --peer-base-port further apart.";
        }

        return null;
    }

    /// <summary>A delay written with its unit (500ms, 5s, 2m, 1h), from zero to an hour; null otherwise.</summary>
    private static TimeSpan? Delay(string text)
    {
        var (digits, unit) = text switch
        {
            [.. var n, 'm', 's'] => (n, TimeSpan.FromMilliseconds(1)),
            [.. var n, 's'] => (n, TimeSpan.FromSeconds(1)),
            [.. var n, 'm'] => (n, TimeSpan.FromMinutes(1)),
            [.. var n, 'h'] => (n, TimeSpan.FromHours(1)),
            _ => (string.Empty, TimeSpan.Zero),
        };
        return int.TryParse(digits, NumberStyles.None, CultureInfo.InvariantCulture, out var count) && count <= 3_600_000 && unit * count <= TimeSpan.FromHours(1)
            ? unit * count
            : null;
    }

    private static bool Integer(string name, string text, int least, int most, out int value, ref string error)
    {
        if (int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out value) && value >= least && value <= most)
        {
            return true;
        }

        error = $"{name} must be a whole number from {least} to {most}, not '{text}'.";
        return false;
    }
}
