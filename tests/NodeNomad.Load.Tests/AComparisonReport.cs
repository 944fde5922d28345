using NodeNomad.Load.Comparison;
using NodeNomad.Load.Reports;

namespace NodeNomad.Load.Tests;

/// <summary>
/// <c>compare-report</c>'s Markdown and charts, from made-up runs: a row per load and store, NodeNomad ÷ etcd, and
/// each chaos round with its lost writes and verdict; a round that lost a write, has no verdict or was not done makes
/// the comparison unsound.
/// </summary>
public sealed class AComparisonReport : IDisposable
{
    private readonly DirectoryInfo folder = Directory.CreateTempSubdirectory("nodenomad-load-comparison-");

    [Fact]
    public void the_report_has_a_row_per_load_and_store_the_ratios_and_each_chaos_round()
    {
        var report = Comparison(SampleReports.Run() with { History = Judged("Linearizable") });

        var markdown = File.ReadAllText(ComparisonMarkdown.Write(report, folder.FullName, "2026-12-07-comparison"));

        markdown.ShouldStartWith("# NodeNomad beside etcd, 2026-12-07");
        markdown.ShouldContain("load average 0.50 0.40 0.30");
        markdown.ShouldContain("**Verdict: sound**");
        markdown.ShouldContain("| constant | NodeNomad, 3 nodes | 200 | 1.50 | 9.50 | 12.00 | 0 (0 / 0 / 0) | 0 |");
        markdown.ShouldContain("| constant | etcd, 3 members | 100 | 1.50 | 19.00 | 12.00 | 0 (0 / 0 / 0) | 0 |");
        markdown.ShouldContain("| writes | constant | 2.00x | 1.00x | 0.50x | 1.00x |");
        markdown.ShouldContain("| sigkill | SIGKILL, restart on its data: SIGKILL node-1 | no | yes | 100 (3) | 0 / 50 | 1 | Linearizable | yes |");
        markdown.ShouldContain("| partition | full partition (isolated node): isolate node-3 | yes |");
        markdown.ShouldContain("](2026-12-07-comparison/nodenomad-3-writes/report.md)");
        markdown.ShouldContain("![operations per second, per row](2026-12-07-comparison/throughput.png)");
    }

    [Fact]
    public void the_charts_are_png_files_in_the_reports_folder()
    {
        var target = Path.Combine(folder.FullName, "2026-12-07-comparison");

        ComparisonChart.Write(Comparison(SampleReports.Run() with { History = Judged("Linearizable") }), target);

        foreach (var file in new[] { ComparisonChart.ThroughputFile, ComparisonChart.LatencyFile })
        {
            File.ReadAllBytes(Path.Combine(target, file)).Take(4).ShouldBe(new byte[] { 0x89, (byte)'P', (byte)'N', (byte)'G' });
        }
    }

    [Theory]
    [InlineData("Timeout", 0, null)]
    [InlineData("NotLinearizable", 0, null)]
    [InlineData("Linearizable", 1, null)]
    [InlineData("Linearizable", 0, "partitions need root")]
    public void a_round_without_a_linearizable_verdict_or_with_a_lost_write_or_not_done_is_not_sound(string verdict, long lost, string? notDone)
    {
        var round = SampleReports.Run() with { History = Judged(verdict), LossCheck = new LossCheck(50, lost, 0, null) };

        var report = Comparison(round, notDone);

        report.Sound.ShouldBeFalse();
        ComparisonMarkdown.Render(report, "x").ShouldContain("**Verdict: NOT SOUND**");
    }

    public void Dispose() => folder.Delete(recursive: true);

    private static HistoryCheck Judged(string verdict) => new(100, 3, verdict, verdict);

    private static ComparisonReport Comparison(RunReport round, string? notDone = null) => new(
        new DateTimeOffset(2026, 12, 7, 1, 0, 0, TimeSpan.Zero), "dotnet run -- compare-report --seconds 20", "load average 0.50 0.40 0.30 (1, 5, 15 min) on 2 cores",
        20, 500, 42, 900,
        [
            new ComparedRun("NodeNomad, 3 nodes", IsEtcd: false, "writes", "nodenomad-3-writes", SampleReports.Run("NodeNomad", opsPerSecond: 200, p99: 9.5)),
            new ComparedRun("etcd, 3 members", IsEtcd: true, "writes", "etcd-writes", SampleReports.Run("etcd", opsPerSecond: 100, p99: 19)),
        ],
        [
            new RoundResult(ComparisonWorkloads.ChaosRounds[0], notDone, "chaos-sigkill", round),
            new RoundResult(ComparisonWorkloads.ChaosRounds[2], null, "chaos-partition", SampleReports.Run() with { History = Judged("Linearizable") }),
        ]);
}
