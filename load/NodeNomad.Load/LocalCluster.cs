using System.Diagnostics;
using System.Globalization;
using System.Security.Cryptography;

namespace NodeNomad.Load;

/// <summary>
/// A NodeNomad cluster this program starts: <c>node-1</c> to <c>node-N</c>, each a <see cref="LocalNode"/> with
/// its own client port, peer port and data folder, sharing a secret made for this run. Disposing it stops every
/// node and removes every data folder.
/// </summary>
internal sealed class LocalCluster : IAsyncDisposable
{
    /// <summary>Raft's tick: a leader heartbeats once per tick.</summary>
    public const int HeartbeatMs = 100;

    /// <summary>Without a leader for this long (randomized up to twice), a follower campaigns.</summary>
    public const int ElectionTimeoutMs = 1000;

    private static readonly TimeSpan Poll = TimeSpan.FromMilliseconds(100);

    private readonly List<LocalNode> nodes = [];
    private readonly List<NodeUser> users = [];
    private bool partitions;

    private LocalCluster()
    {
    }

    /// <summary>The nodes, node-1 first.</summary>
    public IReadOnlyList<LocalNode> Nodes => nodes;

    /// <summary>Starts <paramref name="count"/> nodes and waits until each one is ready, that is knows a leader.</summary>
    /// <param name="settings">More environment variables for every node (such as <c>STORAGE</c>), or null.</param>
    /// <param name="ownUsers">Runs each node as a throwaway Unix user of its own (<see cref="NodeUser"/>), so that its links can be cut.</param>
    public static async Task<LocalCluster> StartAsync(string nodeDll, int count, CancellationToken cancellationToken,
        IReadOnlyDictionary<string, string>? settings = null, bool ownUsers = false)
    {
        var ports = LocalNode.FreePorts(2 * count); // client ports first, then peer ports
        var ids = Enumerable.Range(1, count).Select(i => Invariant($"node-{i}")).ToList();
        var environment = new Dictionary<string, string>
        {
            ["CLUSTER_NODES"] = string.Join(',', ids.Select((id, i) => Invariant($"{id}=127.0.0.1:{ports[count + i]}"))),
            ["CLUSTER_SECRET"] = Convert.ToHexString(RandomNumberGenerator.GetBytes(16)),
            ["HEARTBEAT_INTERVAL"] = HeartbeatMs.ToString(CultureInfo.InvariantCulture),
            ["ELECTION_TIMEOUT"] = ElectionTimeoutMs.ToString(CultureInfo.InvariantCulture),
            // One group unless the caller asks for shards: bench-cluster measures replication, not routing.
            ["SHARD_COUNT"] = "1",
        };
        foreach (var (name, value) in settings ?? new Dictionary<string, string>())
        {
            environment[name] = value;
        }

        return await new LocalCluster().ThenAsync(async cluster =>
        {
            if (ownUsers)
            {
                Faults.Partition.Install();
                cluster.partitions = true;
            }

            for (var i = 0; i < count; i++)
            {
                NodeUser? user = null;
                if (ownUsers)
                {
                    user = NodeUser.Create(i + 1);
                    cluster.users.Add(user);
                }

                cluster.nodes.Add(await LocalNode.LaunchAsync(nodeDll, ids[i], ports[i], ports[count + i], environment, user));
            }

            foreach (var node in cluster.nodes)
            {
                await node.WaitReadyAsync(cancellationToken);
            }
        });
    }

    /// <summary>Waits until every node names the same leader, and returns that node.</summary>
    public async Task<LocalNode> WaitForLeaderAsync(TimeSpan limit, CancellationToken cancellationToken)
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(2) };
        var started = Stopwatch.GetTimestamp();
        var seen = "nothing yet";
        while (Stopwatch.GetElapsedTime(started) < limit)
        {
            var infos = await Task.WhenAll(nodes.Select(n => new NodeNomadTarget(n.Url).ReadFirstShardAsync(http, cancellationToken)));
            if (infos.Select(info => info?.LeaderId).Distinct().ToList() is [{ } leaderId] && nodes.Find(n => n.NodeId == leaderId) is { } leader)
            {
                return leader;
            }

            seen = Describe(infos);
            await Task.Delay(Poll, cancellationToken);
        }

        throw new BenchSetupException($"the {nodes.Count} nodes did not agree on a leader within {limit.TotalSeconds} s; last seen: {seen}");
    }

    /// <summary>Who each node says leads, and in which term: a change between two readings means an election happened.</summary>
    public async Task<string> LeadershipAsync(HttpClient http, CancellationToken cancellationToken) =>
        Describe(await Task.WhenAll(nodes.Select(n => new NodeNomadTarget(n.Url).ReadFirstShardAsync(http, cancellationToken))));

    public async ValueTask DisposeAsync()
    {
        foreach (var node in nodes)
        {
            await node.DisposeAsync();
        }

        if (partitions)
        {
            Faults.Partition.Uninstall();
        }

        foreach (var user in users)
        {
            user.Dispose();
        }
    }

    private string Describe(IReadOnlyList<Contracts.ShardInfo?> infos) => string.Join("; ", infos.Select((info, i) => info is null
        ? $"{nodes[i].NodeId} does not answer"
        : Invariant($"{nodes[i].NodeId} sees leader {info.LeaderId ?? "none"} of shard 0 in term {info.Term}")));

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
