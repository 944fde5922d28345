using System.Globalization;

namespace NodeNomad.Load;

/// <summary>Prints the runs of <c>bench-writes</c> as fixed-width tables.</summary>
internal static class ResultTable
{
    private const string Header = "  clients   writes/s     p50 ms     p99 ms   p99.9 ms     max ms   fsyncs/s  entries/fsync  vs 1 client";

    public static void Write(TextWriter output, string title, IReadOnlyList<RunResult> runs)
    {
        var baseline = runs.FirstOrDefault(r => r.Clients == 1)?.OperationsPerSecond;
        output.WriteLine(title);
        output.WriteLine(Header);
        foreach (var r in runs)
        {
            var perSync = r.Durable.WritesPerSync is { } entries ? Format($"{entries,13:F1}") : $"{"-",13}";
            var scaling = baseline is > 0 ? Format($"{r.OperationsPerSecond / baseline.Value,10:F2}x") : $"{"-",11}";
            output.WriteLine(Format($"{r.Clients,9} {r.OperationsPerSecond,10:F0} {r.Milliseconds(50),10:F2} {r.Milliseconds(99),10:F2} {r.Milliseconds(99.9),10:F2} {r.MaxMilliseconds,10:F2} {r.SyncsPerSecond,10:F0}  {perSync}  {scaling}"));
        }

        WriteNotes(output, runs, "writes");
        output.WriteLine();
    }

    /// <summary>Lists the runs' failures and disturbances, each line starting with <paramref name="who"/>.</summary>
    public static void WriteNotes(TextWriter output, IEnumerable<RunResult> runs, string requests, string who = "")
    {
        foreach (var r in runs)
        {
            if (r.Failures > 0)
            {
                output.WriteLine(Format($"  {who}{r.Clients} client(s): {r.Failures} {requests} failed; the first: {r.FirstFailure}"));
            }

            if (r.Disturbance is { } disturbance)
            {
                output.WriteLine(Format($"  {who}{r.Clients} client(s): {disturbance}"));
            }
        }
    }

    public static void WriteComparison(TextWriter output, IReadOnlyList<RunResult> nodeNomad, IReadOnlyList<RunResult> etcd)
    {
        output.WriteLine("NodeNomad / etcd, writes per second. NOT like for like: etcd here is a 3-member replicated cluster, whose every");
        output.WriteLine("put is fsynced by a majority of members before it is acknowledged; this NodeNomad is one node without replication.");
        output.WriteLine("  clients  NodeNomad w/s     etcd w/s  NodeNomad/etcd");
        foreach (var (node, peer) in nodeNomad.Zip(etcd))
        {
            var ratio = peer.OperationsPerSecond > 0 ? Format($"{node.OperationsPerSecond / peer.OperationsPerSecond,14:F2}x") : $"{"-",15}";
            output.WriteLine(Format($"{node.Clients,9} {node.OperationsPerSecond,14:F0} {peer.OperationsPerSecond,12:F0}  {ratio}"));
        }

        output.WriteLine();
    }

    internal static string Format(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
