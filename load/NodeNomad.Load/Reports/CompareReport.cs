using System.Globalization;
using System.Text;
using System.Text.Json;

namespace NodeNomad.Load.Reports;

/// <summary>
/// <c>compare</c>'s result: the same scenario on NodeNomad and on etcd, side by side per phase, with NodeNomad ÷ etcd
/// for ops/s, p50 and p99. Written as <c>compare.json</c> and <c>compare.md</c> beside the two runs' folders.
/// </summary>
internal sealed record CompareReport(string Scenario, string Profile, int Seed, IReadOnlyList<CompareRow> Rows, IReadOnlyList<string> Caveats)
{
    public static CompareReport Of(RunReport nodeNomad, RunReport etcd)
    {
        var rows = nodeNomad.Phases.Zip(etcd.Phases, (n, e) => new CompareRow(n.Name, n.Shape,
            n.OperationsPerSecond, e.OperationsPerSecond, n.Latency.P50, e.Latency.P50, n.Latency.P99, e.Latency.P99, n.Errors.Total, e.Errors.Total)).ToList();
        return new CompareReport(nodeNomad.Scenario, nodeNomad.Profile, nodeNomad.Seed, rows,
        [
            $"{nodeNomad.Deployment}.",
            $"{etcd.Deployment}.",
            "Both share this machine's cores and disk with the load generator; compare runs of one invocation, and repeat before drawing conclusions.",
            "In an open-loop phase both stores are offered the same rate, so ops/s is near 1.00x unless one falls behind; the latency ratios are the figures there.",
            .. etcd.Notes,
        ]);
    }

    public static void Write(CompareReport report, string folder)
    {
        Directory.CreateDirectory(folder);
        File.WriteAllText(Path.Combine(folder, "compare.json"), JsonSerializer.Serialize(report, JsonReport.Options));
        var md = new StringBuilder();
        md.Append(CultureInfo.InvariantCulture, $"# {report.Scenario}: NodeNomad and etcd ({report.Profile} profile, seed {report.Seed})\n\n");
        md.Append("| phase | load | NodeNomad ops/s | etcd ops/s | ops/s ratio | NodeNomad p50 ms | etcd p50 ms | p50 ratio | NodeNomad p99 ms | etcd p99 ms | p99 ratio | errors NodeNomad / etcd |\n");
        md.Append("|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n");
        foreach (var r in report.Rows)
        {
            md.Append(CultureInfo.InvariantCulture, $"| {r.Phase} | {r.Shape} | {r.NodeNomadOpsPerSecond:F0} | {r.EtcdOpsPerSecond:F0} | {Ratio(r.NodeNomadOpsPerSecond, r.EtcdOpsPerSecond)} | {r.NodeNomadP50:F2} | {r.EtcdP50:F2} | {Ratio(r.NodeNomadP50, r.EtcdP50)} | {r.NodeNomadP99:F2} | {r.EtcdP99:F2} | {Ratio(r.NodeNomadP99, r.EtcdP99)} | {r.NodeNomadErrors} / {r.EtcdErrors} |\n");
        }

        md.Append('\n');
        foreach (var caveat in report.Caveats)
        {
            md.Append("- ").Append(caveat).Append('\n');
        }

        md.Append("\nEach run's own report: [NodeNomad](nodenomad/report.md), [etcd](etcd/report.md).\n");
        File.WriteAllText(Path.Combine(folder, "compare.md"), md.ToString());
    }

    /// <summary>The ratios as printed at the end of <c>compare</c>.</summary>
    public static string Table(CompareReport report)
    {
        var text = new StringBuilder();
        text.Append(CultureInfo.InvariantCulture, $"{report.Scenario}: NodeNomad ÷ etcd ({report.Profile} profile, seed {report.Seed})\n");
        text.Append(CultureInfo.InvariantCulture, $"{"phase",-10} {"load",-28} {"ops/s N",9} {"ops/s e",9} {"ratio",7}   {"p50 N",8} {"p50 e",8} {"ratio",7}   {"p99 N",8} {"p99 e",8} {"ratio",7}   errors N/e\n");
        foreach (var r in report.Rows)
        {
            text.Append(CultureInfo.InvariantCulture, $"{r.Phase,-10} {r.Shape,-28} {r.NodeNomadOpsPerSecond,9:F0} {r.EtcdOpsPerSecond,9:F0} {Ratio(r.NodeNomadOpsPerSecond, r.EtcdOpsPerSecond),7}   {r.NodeNomadP50,8:F2} {r.EtcdP50,8:F2} {Ratio(r.NodeNomadP50, r.EtcdP50),7}   {r.NodeNomadP99,8:F2} {r.EtcdP99,8:F2} {Ratio(r.NodeNomadP99, r.EtcdP99),7}   {r.NodeNomadErrors}/{r.EtcdErrors}\n");
        }

        text.Append("Latency in ms. Ratio = NodeNomad ÷ etcd: above 1 is more ops/s, or slower. Not like for like: see compare.md.\n");
        return text.ToString();
    }

    private static string Ratio(double mine, double theirs) => theirs > 0 ? string.Create(CultureInfo.InvariantCulture, $"{mine / theirs:F2}x") : "-";
}

/// <summary>One phase of both runs.</summary>
internal sealed record CompareRow(string Phase, string Shape, double NodeNomadOpsPerSecond, double EtcdOpsPerSecond, double NodeNomadP50, double EtcdP50,
    double NodeNomadP99, double EtcdP99, long NodeNomadErrors, long EtcdErrors);
