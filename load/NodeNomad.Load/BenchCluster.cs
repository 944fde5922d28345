using System.Globalization;

namespace NodeNomad.Load;

/// <summary>
/// <c>bench-cluster</c>: writes and linearizable reads against one node alone, then against a Raft cluster of
/// several nodes on this machine, at the same client counts; prints the cluster's throughput as a share of the
/// single node's.
/// </summary>
internal sealed class BenchCluster
{
    /// <summary>Keys written before the reads, which read them over and over.</summary>
    private const int ReadKeys = 1000;

    private const int FillClients = 16;
    private static readonly TimeSpan FillLimit = TimeSpan.FromSeconds(120);
    private static readonly TimeSpan LeaderLimit = TimeSpan.FromSeconds(60);

    private readonly LoadSettings load;
    private readonly string value;
    private readonly string run = Guid.NewGuid().ToString("N")[..8];
    private readonly CancellationToken cancellationToken;

    private BenchCluster(LoadSettings load, CancellationToken cancellationToken)
    {
        this.load = load;
        value = load.MakeValue();
        this.cancellationToken = cancellationToken;
    }

    /// <summary>Runs the benchmark and prints the tables; false when any request failed.</summary>
    public static async Task<bool> RunAsync(BenchClusterOptions options, TextWriter output, CancellationToken cancellationToken)
    {
        var dll = RepositoryLayout.Find().RequireNodeDll();
        var load = options.Load;
        var bench = new BenchCluster(load, cancellationToken);
        output.WriteLine(Invariant($"bench-cluster: one node alone, then a {options.Nodes}-node Raft cluster (HEARTBEAT_INTERVAL={LocalCluster.HeartbeatMs}, ELECTION_TIMEOUT={LocalCluster.ElectionTimeoutMs}), every node fsyncing, all started by this program on 127.0.0.1 ({RepositoryLayout.DescribeBuild(dll)})."));
        output.WriteLine(Invariant($"{load.Seconds} s per client count after a {ClientSweep.WarmUp.TotalSeconds} s warm-up, {load.ValueBytes}-byte values, at most {load.MaxRequests} requests per run. Latency is from request sent to response read."));
        output.WriteLine(Invariant($"Load and nodes share this machine; at the start: {MachineLoad.Describe()}."));
        output.WriteLine();

        IReadOnlyList<RunResult> singleWrites, singleReads;
        await using (var node = await LocalNode.StartAsync(dll, cancellationToken))
        {
            var target = new NodeNomadTarget(node.Url);
            singleWrites = await bench.WritesAsync("1-node/writes", [target], target, cluster: null);
            singleReads = await bench.ReadsAsync("1-node/reads", target, [target], cluster: null);
        }

        IReadOnlyList<RunResult> leaderWrites, spreadWrites, spreadReads;
        LocalNode leader;
        await using (var cluster = await LocalCluster.StartAsync(dll, options.Nodes, cancellationToken))
        {
            leader = await cluster.WaitForLeaderAsync(LeaderLimit, cancellationToken);
            await Console.Error.WriteLineAsync($"the cluster is up; {leader.NodeId} leads");
            var leaderTarget = new NodeNomadTarget(leader.Url);
            var all = cluster.Nodes.Select(n => new NodeNomadTarget(n.Url)).ToList();
            leaderWrites = await bench.WritesAsync("cluster/writes-to-leader", [leaderTarget], leaderTarget, cluster);
            spreadWrites = await bench.WritesAsync("cluster/writes-spread", all, leaderTarget, cluster);
            spreadReads = await bench.ReadsAsync("cluster/reads-spread", leaderTarget, all, cluster);
        }

        var nodes = options.Nodes;
        ClusterTable.Write(output, Invariant($"Writes, each to a new key and sent to the LEADER's client port ({leader.NodeId}, {leader.Url}); entries/fsync on the leader (1-node rows: on that node)"),
            nodes, singleWrites, leaderWrites, writes: true);
        ClusterTable.Write(output, Invariant($"Writes, each to a new key, spread over all {nodes} nodes in turn (a follower forwards a write to the leader over the peer port); entries/fsync on the leader; 1-node rows as above"),
            nodes, singleWrites, spreadWrites, writes: true);
        ClusterTable.Write(output, Invariant($"Linearizable reads (GET /api/v1/get/KEY, ReadIndex) of {ReadKeys} keys written beforehand, spread over all {nodes} nodes in turn (1-node rows: the same reads of the single node)"),
            nodes, singleReads, spreadReads, writes: false);
        output.WriteLine(Invariant($"Machine when done: {MachineLoad.Describe()}. Figures move by tens of percent between runs on a busy machine; compare rows of one invocation."));
        return new[] { singleWrites, singleReads, leaderWrites, spreadWrites, spreadReads }.SelectMany(runs => runs).All(r => r.Failures == 0);
    }

    private Task<IReadOnlyList<RunResult>> WritesAsync(string name, IReadOnlyList<NodeNomadTarget> targets, NodeNomadTarget leader, LocalCluster? cluster) =>
        ClientSweep.MeasureAsync(new Workload(name, keys => LoadRequests.NewKeys(targets, keys, value), leader, cluster is null ? null : cluster.LeadershipAsync),
            load, run, cancellationToken);

    /// <summary>Writes the keys the reads read through <paramref name="writer"/>, then reads them from <paramref name="readers"/> in turn.</summary>
    private async Task<IReadOnlyList<RunResult>> ReadsAsync(string name, NodeNomadTarget writer, IReadOnlyList<NodeNomadTarget> readers, LocalCluster? cluster)
    {
        var keys = Invariant($"load/{run}/{name}/keys");
        await Console.Error.WriteLineAsync(Invariant($"{name}: writing the {ReadKeys} keys the reads read"));
        using (var http = ClosedLoop.CreateHttpClient(FillClients))
        {
            var filled = await ClosedLoop.RunAsync(http, FillClients, FillLimit, ReadKeys, LoadRequests.FillKeys(writer, keys, ReadKeys, value), cancellationToken);
            if (filled.Operations != ReadKeys)
            {
                throw new BenchSetupException(Invariant($"only {filled.Operations} of the {ReadKeys} keys the reads read were written within {FillLimit.TotalSeconds} s; {filled.Failures} writes failed, the first: {filled.FirstFailure ?? "none"}"));
            }
        }

        return await ClientSweep.MeasureAsync(new Workload(name, _ => LoadRequests.ReadKeys(readers, keys, ReadKeys), Counted: null, cluster is null ? null : cluster.LeadershipAsync),
            load, run, cancellationToken);
    }

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
