using System.Globalization;
using NodeNomad.Load.Stores;

namespace NodeNomad.Load.Faults;

/// <summary>
/// Cuts links between node processes on loopback for a while: each node runs as its own Unix user, and a link from
/// node X to node Y is cut by dropping, in the chain <see cref="Chain"/>, what X's user sends to Y's client and peer
/// ports. The load (this program's user) still reaches every node. The rules are removed when the fault ends, and the
/// chain when the cluster stops.
/// </summary>
internal sealed class Partition(PartitionKind kind, int index, TimeSpan cut) : IFault
{
    /// <summary>The iptables chain, jumped to from OUTPUT, that holds the cuts in force.</summary>
    public const string Chain = "NODENOMAD-CHAOS";

    public string Name => kind switch
    {
        PartitionKind.Isolate => $"isolate node-{index + 1}",
        PartitionKind.OneWay => $"one-way: node-{index + 1} cannot send",
        _ => $"bridge: only node-{index + 1} links the others",
    };

    public string? Unsupported(IStoreDeployment deployment) =>
        deployment is NodeNomadDeployment nodes && nodes.Cluster.Nodes.All(n => n.User is not null)
            ? null
            : "partitions need every node run as its own user (root, useradd, setpriv, iptables)";

    public async Task RunAsync(FaultContext context, CancellationToken cancellationToken)
    {
        var nodes = ((NodeNomadDeployment)context.Deployment).Cluster.Nodes;
        var a = nodes[index];
        var others = nodes.Where(n => n != a).ToList();
        IEnumerable<(LocalNode From, LocalNode To)> links = kind switch
        {
            PartitionKind.Isolate => others.SelectMany(o => new[] { (a, o), (o, a) }),
            PartitionKind.OneWay => others.Select(o => (a, o)),
            _ => [(others[0], others[1]), (others[1], others[0])],
        };
        var rules = links.SelectMany(link => new[] { link.To.PeerPort, link.To.Url.Port }.Select(port => Rule(link.From, port))).ToList();
        foreach (var rule in rules)
        {
            Iptables(["-A", Chain, .. rule]);
        }

        context.Mark($"{Name}: {rules.Count} rules");
        try
        {
            await Task.Delay(cut, cancellationToken);
        }
        finally
        {
            foreach (var rule in rules)
            {
                Iptables(["-D", Chain, .. rule]);
            }

            context.Mark($"{Name}: healed");
        }
    }

    /// <summary>Creates <see cref="Chain"/> empty and jumps to it from OUTPUT (a chain left by an interrupted run is emptied).</summary>
    public static void Install()
    {
        NodeUser.Run("iptables", "-N", Chain);
        Iptables(["-F", Chain]);
        if (NodeUser.Run("iptables", "-C", "OUTPUT", "-j", Chain) != 0)
        {
            Iptables(["-I", "OUTPUT", "-j", Chain]);
        }
    }

    /// <summary>Removes <see cref="Chain"/> and its jump.</summary>
    public static void Uninstall()
    {
        NodeUser.Run("iptables", "-D", "OUTPUT", "-j", Chain);
        NodeUser.Run("iptables", "-F", Chain);
        NodeUser.Run("iptables", "-X", Chain);
    }

    private static string[] Rule(LocalNode from, int port) =>
        ["-o", "lo", "-p", "tcp", "-d", "127.0.0.1", "--dport", port.ToString(CultureInfo.InvariantCulture), "-m", "owner", "--uid-owner", from.User!.Name, "-j", "DROP"];

    private static void Iptables(string[] arguments)
    {
        if (NodeUser.Run("iptables", arguments) != 0)
        {
            throw new InvalidOperationException($"iptables {string.Join(' ', arguments)} failed");
        }
    }
}
