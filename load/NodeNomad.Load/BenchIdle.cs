using System.Diagnostics;
using System.Globalization;
using static System.FormattableString;

namespace NodeNomad.Load;

/// <summary>
/// What idle shards cost: a three-node cluster with N shards of three replicas (every node hosts every shard's
/// group and the meta group) sits idle while the program samples each node's CPU time, memory and Raft traffic.
/// </summary>
internal static class BenchIdle
{
    public static async Task<bool> RunAsync(IReadOnlyList<int> shardCounts, int seconds, TextWriter output, CancellationToken cancellationToken)
    {
        var dll = RepositoryLayout.Find().RequireNodeDll();
        output.WriteLine(Invariant($"bench-idle: 3 nodes, replication factor 3, heartbeat {LocalCluster.HeartbeatMs} ms, idle for {seconds} s, sampled from 15 s after every shard has a leader ({RepositoryLayout.DescribeBuild(dll)})."));
        output.WriteLine(Invariant($"At the start: {MachineLoad.Describe()}."));
        var rows = new List<(int Shards, double CpuPercent, double MessagesPerSecond, double FramesPerSecond, long ResidentMb)>();
        foreach (var shards in shardCounts)
        {
            await Console.Error.WriteLineAsync(Invariant($"{shards} shards: starting"));
            await using var cluster = await LocalCluster.StartAsync(dll, 3, cancellationToken, new Dictionary<string, string>
            {
                ["SHARD_COUNT"] = shards.ToString(CultureInfo.InvariantCulture),
                ["REPLICATION_FACTOR"] = "3",
            });
            using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(30) };
            await WaitLedAsync(http, cluster.Nodes[0].Url, shards, cancellationToken);

            // Let elections, registrations and the JIT's background recompilation settle, then sample.
            await Task.Delay(TimeSpan.FromSeconds(15), cancellationToken);
            var cpuBefore = cluster.Nodes.Select(n => n.CpuTime).ToArray();
            var trafficBefore = await Task.WhenAll(cluster.Nodes.Select(n => TrafficAsync(http, n.Url, cancellationToken)));
            var clock = Stopwatch.StartNew();
            await Task.Delay(TimeSpan.FromSeconds(seconds), cancellationToken);
            var elapsed = clock.Elapsed.TotalSeconds;
            var cpuAfter = cluster.Nodes.Select(n => n.CpuTime).ToArray();
            var trafficAfter = await Task.WhenAll(cluster.Nodes.Select(n => TrafficAsync(http, n.Url, cancellationToken)));
            var cpu = Enumerable.Range(0, 3).Average(i => (cpuAfter[i] - cpuBefore[i]).TotalSeconds / elapsed * 100);
            var messages = Enumerable.Range(0, 3).Average(i => (trafficAfter[i].Messages - trafficBefore[i].Messages) / elapsed);
            var frames = Enumerable.Range(0, 3).Average(i => (trafficAfter[i].Frames - trafficBefore[i].Frames) / elapsed);
            var resident = (long)cluster.Nodes.Average(n => n.ResidentBytes) / (1024 * 1024);
            rows.Add((shards, cpu, messages, frames, resident));
        }

        output.WriteLine();
        output.WriteLine("Per node, averaged over the three (groups per node = shards + the meta group):");
        output.WriteLine("   shards   groups/node   CPU % of a core   Raft messages sent/s   frames sent/s   messages/frame   RSS MB");
        var first = rows[0];
        foreach (var row in rows)
        {
            output.WriteLine(Invariant($"{row.Shards,9} {row.Shards + 1,13} {row.CpuPercent,17:F1} {row.MessagesPerSecond,22:F0} {row.FramesPerSecond,15:F0} {(row.FramesPerSecond > 0 ? row.MessagesPerSecond / row.FramesPerSecond : 0),16:F1} {row.ResidentMb,8}"));
        }

        if (rows.Count > 1)
        {
            var last = rows[^1];
            output.WriteLine(Invariant($"{last.Shards} shards beside {first.Shards}: {last.CpuPercent / Math.Max(first.CpuPercent, 0.01):F2}x the CPU for {(last.Shards + 1.0) / (first.Shards + 1.0):F0}x the groups; {(last.CpuPercent - first.CpuPercent) / (last.Shards - first.Shards) * 1000:F2} % of a core per 1,000 extra idle groups."));
        }

        output.WriteLine(Invariant($"Machine when done: {MachineLoad.Describe()}. Compare rows of one invocation."));
        return true;
    }

    private static async Task WaitLedAsync(HttpClient http, Uri node, int shards, CancellationToken cancellationToken)
    {
        var deadline = DateTime.UtcNow.AddMinutes(2);
        while (DateTime.UtcNow < deadline)
        {
            try
            {
                var text = await http.GetStringAsync(new Uri(node, "/api/v1/cluster/shards"), cancellationToken);
                using var document = System.Text.Json.JsonDocument.Parse(text);
                var items = document.RootElement.EnumerateArray().ToList();
                if (items.Count == shards && items.All(s => s.GetProperty("leaderId").ValueKind == System.Text.Json.JsonValueKind.String))
                {
                    return;
                }
            }
            catch (HttpRequestException)
            {
            }

            await Task.Delay(250, cancellationToken);
        }

        throw new BenchSetupException(Invariant($"the {shards} shards did not all elect a leader within 2 minutes."));
    }

    /// <summary>The node's Raft messages and frames sent so far, from its Prometheus text.</summary>
    private static async Task<(double Messages, double Frames)> TrafficAsync(HttpClient http, Uri node, CancellationToken cancellationToken)
    {
        var text = await http.GetStringAsync(new Uri(node, "/metrics"), cancellationToken);
        double messages = 0;
        double frames = 0;
        foreach (var line in text.Split('\n'))
        {
            if (line.StartsWith('#'))
            {
                continue;
            }

            if (line.StartsWith("nodenomad_transport_messages_sent", StringComparison.Ordinal))
            {
                messages += Value(line);
            }
            else if (line.StartsWith("nodenomad_transport_frames_sent", StringComparison.Ordinal))
            {
                frames += Value(line);
            }
        }

        return (messages, frames);
    }

    private static double Value(string line)
    {
        var parts = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        return parts.Length >= 2 && double.TryParse(parts[1], NumberStyles.Float, CultureInfo.InvariantCulture, out var value) ? value : 0;
    }
}
