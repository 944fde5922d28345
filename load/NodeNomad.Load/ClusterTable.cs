namespace NodeNomad.Load;

/// <summary>Prints one workload of <c>bench-cluster</c>: the single node's rows, then the cluster's, with cluster ÷ single node.</summary>
internal static class ClusterTable
{
    private const string Columns = "    nodes  clients      ops/s     p50 ms     p99 ms   p99.9 ms";
    private const string EntriesColumn = "  entries/fsync";
    private const string RatioColumn = "  vs 1 node";

    /// <param name="output">Where the table goes.</param>
    /// <param name="title">What was measured, and where.</param>
    /// <param name="nodes">Members of the cluster.</param>
    /// <param name="single">The single node's runs.</param>
    /// <param name="cluster">The cluster's runs, at the same client counts in the same order.</param>
    /// <param name="writes">Whether the requests were writes: then entries per fsync are shown, and failures are called writes.</param>
    public static void Write(TextWriter output, string title, int nodes, IReadOnlyList<RunResult> single, IReadOnlyList<RunResult> cluster, bool writes)
    {
        output.WriteLine(title);
        output.WriteLine(Columns + (writes ? EntriesColumn : string.Empty) + RatioColumn);
        foreach (var run in single)
        {
            output.WriteLine(Row(1, run, writes, ratio: null));
        }

        foreach (var (one, many) in single.Zip(cluster))
        {
            output.WriteLine(Row(nodes, many, writes, one.OperationsPerSecond > 0 ? many.OperationsPerSecond / one.OperationsPerSecond : null));
        }

        var requests = writes ? "writes" : "reads";
        ResultTable.WriteNotes(output, single, requests, "1 node, ");
        ResultTable.WriteNotes(output, cluster, requests, ResultTable.Format($"{nodes} nodes, "));
        output.WriteLine();
    }

    private static string Row(int nodes, RunResult run, bool writes, double? ratio)
    {
        var entries = !writes ? string.Empty
            : run.Durable.WritesPerSync is { } perSync ? ResultTable.Format($"  {perSync,13:F1}") : $"  {"-",13}";
        var versus = ratio is { } r ? ResultTable.Format($"  {r,8:F2}x") : $"  {"-",9}";
        return ResultTable.Format($"{nodes,9} {run.Clients,8} {run.OperationsPerSecond,10:F0} {run.Milliseconds(50),10:F2} {run.Milliseconds(99),10:F2} {run.Milliseconds(99.9),10:F2}") + entries + versus;
    }
}
