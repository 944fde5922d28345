using System.Globalization;
using System.Text;

namespace NodeNomad.Load.Reports;

/// <summary><c>report.md</c>: the run for people — what ran, a table per phase and per operation, errors, events, the loss check, the charts.</summary>
internal static class MarkdownReport
{
    public const string FileName = "report.md";

    public static string Write(RunReport report, string folder)
    {
        var path = Path.Combine(folder, FileName);
        File.WriteAllText(path, Render(report));
        return path;
    }

    public static string Render(RunReport r)
    {
        var md = new StringBuilder();
        Line(md, $"# {r.Scenario} on {r.Store} ({r.Profile} profile)");
        Line(md, $"");
        Line(md, $"Started {r.StartedAt:yyyy-MM-dd HH:mm:ss} UTC, seed {r.Seed}, {r.Seconds:F1} s of load. {r.Deployment}.");
        Line(md, $"");
        var keys = r.Settings.KeyDistribution == nameof(Scenarios.KeyDistribution.Fresh)
            ? "a new key per operation"
            : $"{r.Settings.KeyDistribution} keys among {r.Settings.Keys} ({r.Settings.PreloadedKeys} written first)";
        Line(md, $"Mix {r.Settings.Mix}; {keys}; {r.Settings.ValueBytes}-byte values{(r.Settings.TtlSeconds is { } ttl ? $", TTL {ttl} s" : "")}; client timeout {r.Settings.TimeoutSeconds:0.#} s.");
        Line(md, $"");
        Line(md, $"**Verdict: {(r.Sound ? "sound" : "NOT SOUND")}** — {r.LossCheck.Lost} acknowledged writes lost of {r.LossCheck.Checked} checked ({r.LossCheck.Unverified} could not be read back); {(r.SilentMembers.Count == 0 ? "every member still answers" : $"silent members: {string.Join(", ", r.SilentMembers)}")}{(r.History is { } judged ? $"; client history {judged.Verdict}" : "")}.");
        if (r.History is { } history)
        {
            Line(md, $"**Client history** ({history.Operations} operations, {history.OutcomeUnknown} with an unknown outcome, in `history.edn`): {history.Message.Replace(Environment.NewLine, " ", StringComparison.Ordinal)}");
        }
        Line(md, $"");
        Line(md, $"## Phases");
        Line(md, $"");
        Line(md, $"Latency counts from when an operation was due (open loop) or sent (closed loop); service time from when it was sent.");
        Line(md, $"");
        Line(md, $"| phase | load | s | ops | ops/s | p50 ms | p90 ms | p99 ms | p99.9 ms | max ms | service p99 ms | timeout | 503 | other | not sent |");
        Line(md, $"|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
        foreach (var p in r.Phases)
        {
            Line(md, $"| {p.Name} | {p.Shape} | {p.Seconds:F1} | {p.Answered} | {p.OperationsPerSecond:F0} | {p.Latency.P50:F2} | {p.Latency.P90:F2} | {p.Latency.P99:F2} | {p.Latency.P999:F2} | {p.Latency.Max:F2} | {p.ServiceTime.P99:F2} | {p.Errors.Timeout} | {p.Errors.Unavailable} | {p.Errors.Other} | {p.NotSent} |");
        }

        Line(md, $"");
        Line(md, $"## Operations");
        Line(md, $"");
        Line(md, $"| operation | ok | not found | conflict | errors | not supported | p50 ms | p99 ms | max ms |");
        Line(md, $"|---|---:|---:|---:|---:|---:|---:|---:|---:|");
        foreach (var o in r.Operations)
        {
            Line(md, $"| {o.Kind} | {o.Ok} | {o.NotFound} | {o.Conflict} | {o.Errors} | {o.NotSupported} | {o.Latency.P50:F2} | {o.Latency.P99:F2} | {o.Latency.Max:F2} |");
        }

        Line(md, $"");
        Line(md, $"## Errors");
        Line(md, $"");
        Line(md, $"timeout {r.Errors.Timeout}, 503 {r.Errors.Unavailable}, other {r.Errors.Other}; 421 followed to the leader (not errors): {r.RedirectsFollowed}.");
        foreach (var sample in r.ErrorSamples)
        {
            Line(md, $"- `{sample.Replace('`', '\'')}`");
        }

        Line(md, $"");
        Line(md, $"## Events");
        Line(md, $"");
        Line(md, $"| s | event |");
        Line(md, $"|---:|---|");
        foreach (var e in r.Events)
        {
            Line(md, $"| {e.Second:F1} | {e.Text.Replace("|", "\\|", StringComparison.Ordinal)} |");
        }

        if (r.Notes.Count > 0)
        {
            Line(md, $"");
            Line(md, $"## Notes");
            Line(md, $"");
            foreach (var note in r.Notes)
            {
                Line(md, $"- {note}");
            }
        }

        if (r.LossCheck.FirstLost is { } lost)
        {
            Line(md, $"");
            Line(md, $"First lost write: {lost}");
        }

        Line(md, $"");
        Line(md, $"## Charts");
        Line(md, $"");
        Line(md, $"![throughput]({ChartReport.ThroughputFile})");
        Line(md, $"");
        Line(md, $"![latency]({ChartReport.LatencyFile})");
        return md.ToString();
    }

    private static void Line(StringBuilder md, FormattableString text) => md.Append(text.ToString(CultureInfo.InvariantCulture)).Append('\n');
}
