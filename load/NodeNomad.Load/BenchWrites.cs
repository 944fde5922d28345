using System.Globalization;

namespace NodeNomad.Load;

/// <summary>
/// <c>bench-writes</c>: durable write throughput and latency of NodeNomad per number of concurrent clients, and
/// optionally of etcd under the same load.
/// </summary>
internal static class BenchWrites
{
    /// <summary>Runs the benchmark and prints the tables; false when any write failed.</summary>
    public static async Task<bool> RunAsync(BenchWritesOptions options, TextWriter output, CancellationToken cancellationToken)
    {
        var layout = options.Url is null || options.Etcd ? RepositoryLayout.Find() : null;
        var etcdScript = options.Etcd ? layout!.RequireEtcdClusterScript() : null;
        var load = options.Load;
        var value = load.MakeValue();
        var run = Guid.NewGuid().ToString("N")[..8];

        output.WriteLine(Invariant($"bench-writes: {load.Seconds} s per client count after a {ClientSweep.WarmUp.TotalSeconds} s warm-up, {load.ValueBytes}-byte values, every write to a new key, at most {load.MaxRequests} writes per run."));
        output.WriteLine(Invariant($"Load and stores share this machine ({Environment.ProcessorCount} cores). Latency is from request sent to response read."));
        output.WriteLine();

        IReadOnlyList<RunResult> nodeRuns;
        if (options.Url is { } url)
        {
            nodeRuns = await MeasureAsync(new NodeNomadTarget(url), load, run, value, cancellationToken);
            ResultTable.Write(output, Invariant($"NodeNomad at {url}"), nodeRuns);
        }
        else
        {
            var dll = layout!.RequireNodeDll();
            await using var node = await LocalNode.StartAsync(dll, cancellationToken);
            nodeRuns = await MeasureAsync(new NodeNomadTarget(node.Url), load, run, value, cancellationToken);
            ResultTable.Write(output, Invariant($"NodeNomad: one node at {node.Url}, started by this program ({RepositoryLayout.DescribeBuild(dll)})"), nodeRuns);
        }

        if (etcdScript is null)
        {
            return nodeRuns.All(r => r.Failures == 0);
        }

        await using var etcd = await EtcdCluster.StartAsync(etcdScript, cancellationToken);
        var etcdRuns = await MeasureAsync(new EtcdTarget(EtcdCluster.Url), load, run, value, cancellationToken);
        ResultTable.Write(output, Invariant($"etcd: a 3-member replicated cluster ({etcdScript}), load on member {EtcdCluster.Url}; entries/fsync counted on that member"), etcdRuns);
        ResultTable.WriteComparison(output, nodeRuns, etcdRuns);
        return nodeRuns.Concat(etcdRuns).All(r => r.Failures == 0);
    }

    private static Task<IReadOnlyList<RunResult>> MeasureAsync(IWriteTarget target, LoadSettings load, string run, string value,
        CancellationToken cancellationToken) =>
        ClientSweep.MeasureAsync(new Workload(target.Name, keys => LoadRequests.NewKeys([target], keys, value), target), load, run, cancellationToken);

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
