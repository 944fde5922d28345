using System.Globalization;

namespace NodeNomad.Load;

/// <summary>
/// <c>bench-writes</c>: durable write throughput and latency of NodeNomad per number of concurrent clients, and
/// optionally of etcd under the same load.
/// </summary>
internal static class BenchWrites
{
    private static readonly TimeSpan WarmUp = TimeSpan.FromSeconds(1);

    /// <summary>Runs the benchmark and prints the tables; false when any write failed.</summary>
    public static async Task<bool> RunAsync(BenchWritesOptions options, TextWriter output, CancellationToken cancellationToken)
    {
        var layout = options.Url is null || options.Etcd ? RepositoryLayout.Find() : null;
        var etcdScript = options.Etcd ? layout!.RequireEtcdClusterScript() : null;
        var value = new string('x', options.ValueBytes);
        var run = Guid.NewGuid().ToString("N")[..8];

        output.WriteLine(Invariant($"bench-writes: {options.Seconds} s per client count after a {WarmUp.TotalSeconds} s warm-up, {options.ValueBytes}-byte values, every write to a new key, at most {options.MaxRequests} writes per run."));
        output.WriteLine(Invariant($"Load and stores share this machine ({Environment.ProcessorCount} cores). Latency is from request sent to response read."));
        output.WriteLine();

        IReadOnlyList<RunResult> nodeRuns;
        if (options.Url is { } url)
        {
            nodeRuns = await MeasureAsync(new NodeNomadTarget(url), options, run, value, cancellationToken);
            ResultTable.Write(output, Invariant($"NodeNomad at {url}"), nodeRuns);
        }
        else
        {
            var dll = layout!.RequireNodeDll();
            await using var node = await LocalNode.StartAsync(dll, cancellationToken);
            nodeRuns = await MeasureAsync(new NodeNomadTarget(node.Url), options, run, value, cancellationToken);
            ResultTable.Write(output, Invariant($"NodeNomad: one node at {node.Url}, started by this program ({dll}, built {File.GetLastWriteTime(dll):yyyy-MM-dd HH:mm})"), nodeRuns);
        }

        if (etcdScript is null)
        {
            return nodeRuns.All(r => r.Failures == 0);
        }

        await using var etcd = await EtcdCluster.StartAsync(etcdScript, cancellationToken);
        var etcdRuns = await MeasureAsync(new EtcdTarget(EtcdCluster.Url), options, run, value, cancellationToken);
        ResultTable.Write(output, Invariant($"etcd: a 3-member replicated cluster ({etcdScript}), load on member {EtcdCluster.Url}; entries/fsync counted on that member"), etcdRuns);
        ResultTable.WriteComparison(output, nodeRuns, etcdRuns);
        return nodeRuns.Concat(etcdRuns).All(r => r.Failures == 0);
    }

    private static async Task<IReadOnlyList<RunResult>> MeasureAsync(IWriteTarget target, BenchWritesOptions options, string run, string value,
        CancellationToken cancellationToken)
    {
        var results = new List<RunResult>();
        foreach (var clients in options.Clients)
        {
            await Console.Error.WriteLineAsync(Invariant($"{target.Name}, {clients} client(s): warming up {WarmUp.TotalSeconds} s, then measuring {options.Seconds} s"));
            using var http = WriteLoad.CreateHttpClient(clients);
            var keys = Invariant($"load/{run}/{target.Name}/{clients}");
            await WriteLoad.RunAsync(http, target, clients, WarmUp, options.MaxRequests, $"{keys}/warm-up", value, cancellationToken);

            // The counters are read while no write is in flight, so their deltas cover exactly the measured writes.
            var before = await ReadCountersAsync(target, http, cancellationToken);
            var measured = await WriteLoad.RunAsync(http, target, clients, TimeSpan.FromSeconds(options.Seconds), options.MaxRequests,
                $"{keys}/measured", value, cancellationToken);
            var after = await ReadCountersAsync(target, http, cancellationToken);
            results.Add(measured with { Durable = after.Since(before) });
        }

        return results;
    }

    private static async Task<DurabilityCounters> ReadCountersAsync(IWriteTarget target, HttpClient http, CancellationToken cancellationToken)
    {
        try
        {
            return await target.ReadCountersAsync(http, cancellationToken);
        }
        catch (Exception e) when (e is HttpRequestException or System.Text.Json.JsonException
            || (e is TaskCanceledException && !cancellationToken.IsCancellationRequested))
        {
            throw new BenchSetupException($"could not read {target.Name}'s write and fsync counters at {target.Url}: {e.Message}", e);
        }
    }

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
