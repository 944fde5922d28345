using System.Globalization;
using System.Text;
using NodeNomad.Load.Comparison;

namespace NodeNomad.Load.Reports;

/// <summary>
/// <c>yyyy-MM-dd-comparison.md</c>: the comparison for people — how it was run, a table per workload with a row per
/// load and store, NodeNomad ÷ etcd, the chaos rounds, and the charts in the folder of the same name beside it.
/// </summary>
internal static class ComparisonMarkdown
{
    /// <summary>Writes <c>{name}.md</c> into <paramref name="root"/>, whose folder <c>{name}/</c> holds the runs; returns its path.</summary>
    public static string Write(ComparisonReport report, string root, string name)
    {
        var path = Path.Combine(root, name + ".md");
        File.WriteAllText(path, Render(report, name));
        return path;
    }

    public static string Render(ComparisonReport r, string folder)
    {
        var md = new StringBuilder();
        var first = r.Runs.Count > 0 ? r.Runs[0] : null;
        Line(md, $"# NodeNomad beside etcd, {r.StartedAt.UtcDateTime:yyyy-MM-dd}");
        Line(md, $"");
        Line(md, $"Measured by one run of `{r.Command}`, started {r.StartedAt.UtcDateTime:HH:mm} UTC, {r.Seconds / 60:F1} min in all. The stores and the load generator share this machine; at the start: {r.MachineAtStart}.");
        Line(md, $"");
        Line(md, $"**Verdict: {(r.Sound ? "sound" : "NOT SOUND")}** — {Verdict(r)}");
        Line(md, $"");
        Line(md, $"## How it was measured");
        Line(md, $"");
        foreach (var deployment in r.Runs.Select(run => run.Report.Deployment).Distinct())
        {
            Line(md, $"- {deployment}.");
        }

        Line(md, $"- NodeNomad is loaded like a shard-aware client: a write goes to the leader of its key's shard as last known, a read to each node in turn; a 421 naming the leader is followed. etcd's requests go to its members in turn, through the JSON gateway (a linearizable read is a `range` without `serializable`).");
        Line(md, $"- **Writes**: 100-byte values, a new key per write. **Reads**: linearizable, of {ComparisonWorkloads.ReadKeys:N0} keys written before the load, picked uniformly.");
        Line(md, $"- Each row is {r.SecondsPerRow} s, after a 2 s warm-up of 16 clients on the same store (left out of the tables). **Closed loop** (1, 16, 64 clients): each client sends its next operation when the previous one is answered; latency from the send. **Fixed rate** (open loop): {r.Rate:0} operations per second fall due whatever the store answers, up to {ComparisonWorkloads.OpenSenders} in flight; latency counts from when each was due, so a stall counts against every operation it held up.");
        Line(md, $"- Errors: timeout (no answer within {first?.Report.Settings.TimeoutSeconds ?? 5:0.#} s), 503, other; \"not sent\": fixed-rate operations still unsent 5 s after the row's end. After each load, acknowledged writes are read back (lost writes) and every member must still answer.");
        Line(md, $"- Seed {r.Seed}. One run of one machine: repeat before drawing conclusions from a few percent.");
        Line(md, $"");
        md.Append(Tables(r));
        Line(md, $"");
        Line(md, $"## Charts");
        Line(md, $"");
        Line(md, $"![operations per second, per row]({folder}/{ComparisonChart.ThroughputFile})");
        Line(md, $"");
        Line(md, $"![p99 latency, per row]({folder}/{ComparisonChart.LatencyFile})");
        Line(md, $"");
        Line(md, $"Each run's own report, with its charts of ops/s and p50/p99 per second (phases dashed, fault steps in red):");
        Line(md, $"");
        foreach (var run in r.Runs)
        {
            Line(md, $"- {run.Store}, {run.Workload}: [report]({folder}/{run.Folder}/{MarkdownReport.FileName}), [ops/s]({folder}/{run.Folder}/{ChartReport.ThroughputFile}), [latency]({folder}/{run.Folder}/{ChartReport.LatencyFile})");
        }

        foreach (var round in r.Rounds)
        {
            Line(md, $"- chaos round {round.Round.Key}: [report]({folder}/{round.Folder}/{MarkdownReport.FileName}), [ops/s]({folder}/{round.Folder}/{ChartReport.ThroughputFile}), [latency]({folder}/{round.Folder}/{ChartReport.LatencyFile}), [history]({folder}/{round.Folder}/history.edn)");
        }

        return md.ToString();
    }

    /// <summary>The tables of figures (workloads, ratios, chaos rounds), as printed at the end of the run.</summary>
    public static string Tables(ComparisonReport r)
    {
        var md = new StringBuilder();
        foreach (var (workload, title) in new[] { ("writes", "Writes"), ("reads", "Linearizable reads") })
        {
            Line(md, $"## {title}");
            Line(md, $"");
            Line(md, $"| load | store | ops/s | p50 ms | p99 ms | p99.9 ms | errors (timeout / 503 / other) | not sent |");
            Line(md, $"|---|---|---:|---:|---:|---:|---:|---:|");
            var runs = r.Runs.Where(run => run.Workload == workload).ToList();
            foreach (var phase in Measured(runs.FirstOrDefault()))
            {
                foreach (var run in runs)
                {
                    if (Phase(run, phase.Name) is { } p)
                    {
                        Line(md, $"| {p.Name} | {run.Store} | {p.OperationsPerSecond:F0} | {p.Latency.P50:F2} | {p.Latency.P99:F2} | {p.Latency.P999:F2} | {p.Errors.Total} ({p.Errors.Timeout} / {p.Errors.Unavailable} / {p.Errors.Other}) | {p.NotSent} |");
                    }
                }
            }

            Line(md, $"");
        }

        Line(md, $"## NodeNomad ÷ etcd");
        Line(md, $"");
        var nodeNomads = r.Runs.Where(run => !run.IsEtcd).Select(run => run.Store).Distinct().ToList();
        Line(md, $"Above 1: more operations per second, or a longer latency. In a fixed-rate row both are offered the same rate, so ops/s is near 1 unless one fell behind; the latencies are the figures there.");
        Line(md, $"");
        md.Append("| workload | load |");
        foreach (var store in nodeNomads)
        {
            md.Append(CultureInfo.InvariantCulture, $" {store}: ops/s | p50 | p99 | p99.9 |");
        }

        md.Append('\n').Append("|---|---|").Append(string.Concat(Enumerable.Repeat("---:|---:|---:|---:|", nodeNomads.Count))).Append('\n');
        foreach (var workload in new[] { "writes", "reads" })
        {
            var etcd = r.Runs.FirstOrDefault(run => run.IsEtcd && run.Workload == workload);
            foreach (var phase in Measured(etcd))
            {
                md.Append(CultureInfo.InvariantCulture, $"| {workload} | {phase.Name} |");
                foreach (var store in nodeNomads)
                {
                    var mine = r.Runs.FirstOrDefault(run => run.Store == store && run.Workload == workload) is { } run ? Phase(run, phase.Name) : null;
                    md.Append(CultureInfo.InvariantCulture, $" {Ratio(mine?.OperationsPerSecond, phase.OperationsPerSecond)} | {Ratio(mine?.Latency.P50, phase.Latency.P50)} | {Ratio(mine?.Latency.P99, phase.Latency.P99)} | {Ratio(mine?.Latency.P999, phase.Latency.P999)} |");
                }

                md.Append('\n');
            }
        }

        Line(md, $"");
        Line(md, $"## Chaos rounds");
        Line(md, $"");
        if (r.Rounds.Count > 0 && r.Rounds[0] is { } sample)
        {
            Line(md, $"Each round: {sample.Report.Deployment}; {sample.Report.Settings.Mix} (linearizable reads, writes of values unique in the run) at 60 ops/s on {sample.Report.Settings.Keys} keys for {ComparisonWorkloads.RoundLoad.TotalSeconds:0} s, the fault at {ComparisonWorkloads.FaultAt.TotalSeconds:0} s for {ComparisonWorkloads.FaultSpan.TotalSeconds:0} s. Then every acknowledged write is read back linearizably (lost: must be 0), and the client history — writes without a definite answer kept open — is judged by the linearizability checker (must be Linearizable). Rounds that need root run each node as its own Unix user (iptables' owner match cuts its links; the transport's test switch is given to such nodes only); without root they are not done, and the run is not sound.");
            Line(md, $"");
        }

        Line(md, $"| round | fault | needs root | done | operations (open) | acknowledged writes lost / checked | errors | history | sound |");
        Line(md, $"|---|---|---|---|---:|---:|---:|---|---|");
        foreach (var round in r.Rounds)
        {
            var report = round.Report;
            Line(md, $"| {round.Round.Key} | {round.Round.Kind}: {round.Round.Fault.Name} | {(round.Round.NeedsRoot ? "yes" : "no")} | {(round.NotDone is null ? "yes" : $"no: {round.NotDone}")} | {report.History?.Operations ?? 0} ({report.History?.OutcomeUnknown ?? 0}) | {report.LossCheck.Lost} / {report.LossCheck.Checked} | {report.Errors.Total} | {report.History?.Verdict ?? "none"} | {(round.Sound ? "yes" : "NO")} |");
        }

        return md.ToString();
    }

    private static string Verdict(ComparisonReport r)
    {
        if (r.Sound)
        {
            return "no run lost an acknowledged write or a member, and every chaos round did its fault, lost no acknowledged write and was judged linearizable.";
        }

        var faults = r.Runs.Where(run => !run.Report.Sound).Select(run => $"{run.Store} {run.Workload}: {run.Report.LossCheck.Lost} writes lost, silent {run.Report.SilentMembers.Count}")
            .Concat(r.Rounds.Where(round => !round.Sound).Select(round => round.NotDone is { } why
                ? $"chaos round {round.Round.Key} not done ({why})"
                : $"chaos round {round.Round.Key}: {round.Report.LossCheck.Lost} writes lost, history {round.Report.History?.Verdict ?? "none"}, silent {round.Report.SilentMembers.Count}"));
        return string.Join("; ", faults) + ".";
    }

    private static IEnumerable<PhaseReport> Measured(ComparedRun? run) => run?.Report.Phases.Where(p => p.Name != ComparisonWorkloads.WarmUp) ?? [];

    private static PhaseReport? Phase(ComparedRun run, string name) => run.Report.Phases.FirstOrDefault(p => p.Name == name);

    private static string Ratio(double? mine, double theirs) =>
        mine is { } m && theirs > 0 ? string.Create(CultureInfo.InvariantCulture, $"{m / theirs:F2}x") : "-";

    private static void Line(StringBuilder md, FormattableString text) => md.Append(text.ToString(CultureInfo.InvariantCulture)).Append('\n');
}
