using ScottPlot;

namespace NodeNomad.Load.Reports;

/// <summary>
/// The run's charts (ScottPlot): ops/s per second, and p50 and p99 per second, with a dashed line at each phase's
/// start and a line at each event of the faults.
/// </summary>
internal static class ChartReport
{
    public const string ThroughputFile = "throughput.png";
    public const string LatencyFile = "latency.png";
    private const int Width = 1200;
    private const int Height = 500;

    public static IReadOnlyList<string> Write(RunReport report, string folder)
    {
        var seconds = report.Timeline.Select(s => (double)s.Second).ToArray();
        var throughput = new Plot();
        throughput.Add.Scatter(seconds, report.Timeline.Select(s => (double)s.Answered).ToArray()).LegendText = "ops/s";
        var errors = report.Timeline.Select(s => (double)s.Errors).ToArray();
        if (errors.Any(e => e > 0))
        {
            throughput.Add.Scatter(seconds, errors).LegendText = "errors/s";
        }

        Finish(throughput, report, "operations per second");
        var latency = new Plot();
        latency.Add.Scatter(seconds, report.Timeline.Select(s => s.P50).ToArray()).LegendText = "p50";
        latency.Add.Scatter(seconds, report.Timeline.Select(s => s.P99).ToArray()).LegendText = "p99";
        Finish(latency, report, "latency, ms");

        var paths = new[] { Path.Combine(folder, ThroughputFile), Path.Combine(folder, LatencyFile) };
        throughput.SavePng(paths[0], Width, Height);
        latency.SavePng(paths[1], Width, Height);
        return paths;
    }

    private static void Finish(Plot plot, RunReport report, string what)
    {
        foreach (var e in report.Events)
        {
            var phase = e.Text.StartsWith("phase ", StringComparison.Ordinal);
            var line = plot.Add.VerticalLine(e.Second);
            line.LinePattern = phase ? LinePattern.Dashed : LinePattern.Solid;
            line.Color = phase ? Colors.Gray : Colors.Red;
            line.LabelText = phase ? e.Text["phase ".Length..].Split(':')[0] : Shorten(e.Text);
        }

        plot.Title($"{report.Scenario} on {report.Store}: {what}");
        plot.XLabel("seconds since the load started");
        plot.YLabel(what);
        plot.Axes.AutoScale();
        plot.Axes.SetLimitsY(0, Math.Max(1, plot.Axes.GetLimits().Top));
        plot.ShowLegend(Alignment.UpperLeft);
    }

    private static string Shorten(string text) => text.Length <= 40 ? text : text[..39] + "…";
}
