using ScottPlot;
using NodeNomad.Load.Comparison;

namespace NodeNomad.Load.Reports;

/// <summary>
/// The comparison's two charts (ScottPlot): ops/s and p99 of every measured row, a bar per store beside the others,
/// writes then reads.
/// </summary>
internal static class ComparisonChart
{
    public const string ThroughputFile = "throughput.png";
    public const string LatencyFile = "p99.png";
    private const int Width = 1400;
    private const int Height = 550;

    public static void Write(ComparisonReport report, string folder)
    {
        Directory.CreateDirectory(folder);
        Draw(report, "operations per second", p => p.OperationsPerSecond).SavePng(Path.Combine(folder, ThroughputFile), Width, Height);
        Draw(report, "p99 latency, ms", p => p.Latency.P99).SavePng(Path.Combine(folder, LatencyFile), Width, Height);
    }

    private static Plot Draw(ComparisonReport report, string what, Func<PhaseReport, double> figure)
    {
        var stores = report.Runs.Select(r => r.Store).Distinct().ToList();
        // One group of bars per workload and load, in the order of the tables.
        var groups = report.Runs.Where(r => r.Store == stores[0])
            .SelectMany(r => r.Report.Phases.Where(p => p.Name != ComparisonWorkloads.WarmUp).Select(p => (r.Workload, Phase: p.Name)))
            .ToList();
        var plot = new Plot();
        var width = 1.0 / (stores.Count + 1);
        for (var s = 0; s < stores.Count; s++)
        {
            var bars = new List<Bar>();
            for (var g = 0; g < groups.Count; g++)
            {
                var run = report.Runs.FirstOrDefault(r => r.Store == stores[s] && r.Workload == groups[g].Workload);
                var phase = run?.Report.Phases.FirstOrDefault(p => p.Name == groups[g].Phase);
                bars.Add(new Bar { Position = g + ((s - ((stores.Count - 1) / 2.0)) * width), Value = phase is null ? 0 : figure(phase), Size = width * 0.9 });
            }

            var color = plot.Add.Palette.GetColor(s);
            foreach (var bar in bars)
            {
                bar.FillColor = color;
            }

            plot.Add.Bars(bars).LegendText = stores[s];
        }

        plot.Axes.Bottom.SetTicks([.. groups.Select((_, g) => (double)g)], [.. groups.Select(g => $"{g.Workload}\n{g.Phase}")]);
        plot.Title($"NodeNomad beside etcd: {what}");
        plot.YLabel(what);
        plot.Axes.Margins(bottom: 0);
        plot.ShowLegend(Alignment.UpperRight);
        return plot;
    }
}
