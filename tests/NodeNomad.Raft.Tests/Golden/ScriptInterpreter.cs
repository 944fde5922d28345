using System.Globalization;
using System.Text;
using NodeNomad.Raft;
using NodeNomad.Raft.Tests.Harness;

namespace NodeNomad.Raft.Tests.Golden;

/// <summary>Runs golden-script commands against a <see cref="RaftNetwork"/> and renders what happened.</summary>
internal sealed class ScriptInterpreter
{
    private RaftNetwork? _net;

    private RaftNetwork Net => _net ?? throw new InvalidOperationException("add-nodes first");

    public List<string> Run(string command)
    {
        var words = command.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        var args = words.Skip(1).ToArray();
        var output = new List<string>();
        var queuedBefore = _net?.Pending.Count ?? 0;
        var readsBefore = _net?.Nodes.ToDictionary(n => n.Key, n => n.Value.ReadStates.Count) ?? [];
        var showTable = true;
        var showQueued = true;

        switch (words[0])
        {
            case "add-nodes":
                AddNodes(args);
                queuedBefore = 0;
                break;
            case "campaign":
                Net.Raft(Id(args[0])).Campaign();
                Net.ProcessAll();
                break;
            case "propose":
                output.Add(Result(Net.Propose(Id(args[0]), args[1])));
                break;
            case "propose-conf-change":
                output.Add(Result(Net.Raft(Id(args[0])).ProposeConfChange(ConfChange(args[1], Id(args[2])))));
                Net.ProcessAll();
                break;
            case "tick":
                var times = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 1;
                if (args[0] == "all")
                {
                    Net.TickAll(times);
                }
                else
                {
                    Net.Tick(Id(args[0]), times);
                }

                break;
            case "deliver-msgs":
                var drop = args.FirstOrDefault(a => a.StartsWith("drop=", StringComparison.Ordinal)) is { } d
                    ? d["drop=".Length..].Split(',').Select(Id).ToHashSet()
                    : [];
                Net.ProcessAll();
                output.AddRange(Delivered(Net.DeliverPending(m => drop.Contains(m.To))));
                showQueued = false;
                break;
            case "stabilize":
                output.AddRange(Delivered(Net.Stabilize()));
                showQueued = false;
                break;
            case "partition":
                var groups = string.Join(' ', args).Split('/')
                    .Select(g => g.Split(' ', StringSplitOptions.RemoveEmptyEntries).Select(Id).ToArray())
                    .ToArray();
                Net.Partition(groups);
                break;
            case "isolate":
                Net.Isolate(Id(args[0]));
                break;
            case "heal":
                Net.Heal();
                break;
            case "transfer-leadership":
                Net.Raft(Id(args[0])).TransferLeadership(Id(args[1]));
                Net.ProcessAll();
                break;
            case "read-index":
                Net.Raft(Id(args[0])).ReadIndex(Encoding.UTF8.GetBytes(args[1]));
                Net.ProcessAll();
                break;
            case "compact":
                Net[Id(args[0])].Compact(Id(args[1]));
                Net.ProcessAll();
                break;
            case "crash":
                Net.Crash(Id(args[0]));
                break;
            case "restart":
                Net.Restart(Id(args[0]));
                break;
            case "status":
                var ids = args.Length > 0 ? args.Select(Id) : Net.Nodes.Keys;
                foreach (var id in ids)
                {
                    output.AddRange(Describe.Status(Net[id]));
                }

                showTable = false;
                break;
            default:
                throw new InvalidOperationException($"unknown command '{words[0]}'");
        }

        if (showQueued)
        {
            output.AddRange(Net.Pending.Skip(queuedBefore).Select(m => "queued " + Describe.Message(m)));
        }

        foreach (var (id, node) in Net.Nodes)
        {
            foreach (var read in node.ReadStates.Skip(readsBefore.GetValueOrDefault(id)))
            {
                output.Add(string.Create(CultureInfo.InvariantCulture, $"n{id} read-state index={read.Index} ctx={Encoding.UTF8.GetString(read.Context.Span)}"));
            }
        }

        if (showTable)
        {
            output.AddRange(Net.Nodes.Values.Select(Describe.Node));
        }

        return output.Count == 0 ? ["ok"] : output;
    }

    private void AddNodes(string[] args)
    {
        var count = int.Parse(args[0], CultureInfo.InvariantCulture);
        var options = args.Skip(1).Select(a => a.Split('=')).ToDictionary(a => a[0], a => a.Length > 1 ? a[1] : "true");
        if (_net is null)
        {
            var seed = options.TryGetValue("seed", out var s) ? int.Parse(s, CultureInfo.InvariantCulture) : 1;
            _net = new RaftNetwork(count, id => Configure(RaftNetwork.Config(id, seed), options), seed);
            return;
        }

        // Later replicas join the existing group: they learn its membership from the leader.
        var next = Net.Nodes.Keys.Max() + 1;
        for (var i = 0; i < count; i++)
        {
            Net.Add(next + (ulong)i, initialMembers: null);
        }

        Net.ProcessAll();
    }

    private static RaftConfig Configure(RaftConfig config, Dictionary<string, string> options)
    {
        foreach (var (key, value) in options)
        {
            config = key switch
            {
                "prevote" => config with { PreVote = bool.Parse(value) },
                "checkquorum" => config with { CheckQuorum = bool.Parse(value) },
                "read-only" => config with { ReadOnly = value == "lease" ? ReadOnlyOption.LeaseBased : ReadOnlyOption.Safe },
                "max-inflight" => config with { MaxInflightMessages = int.Parse(value, CultureInfo.InvariantCulture) },
                "max-bytes" => config with { MaxBytesPerAppend = long.Parse(value, CultureInfo.InvariantCulture) },
                "seed" => config,
                _ => throw new InvalidOperationException($"unknown option '{key}'"),
            };
        }

        return config;
    }

    private static IEnumerable<string> Delivered(List<(Message Message, bool Delivered)> messages) =>
        messages.Select(d => Describe.Message(d.Message) + (d.Delivered ? "" : " DROPPED"));

    private static string Result(ProposeResult result) => result.Accepted
        ? string.Create(CultureInfo.InvariantCulture, $"accepted index={result.Index} term={result.Term}")
        : "dropped";

    private static ConfChange ConfChange(string type, ulong node) => type switch
    {
        "add-voter" => new ConfChange(ConfChangeType.AddVoter, node),
        "add-learner" => new ConfChange(ConfChangeType.AddLearner, node),
        "remove" => new ConfChange(ConfChangeType.RemoveNode, node),
        _ => throw new InvalidOperationException($"unknown change '{type}'"),
    };

    private static ulong Id(string s) => ulong.Parse(s, CultureInfo.InvariantCulture);
}
