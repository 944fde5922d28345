using System.Text.Json;
using NodeNomad.Load.Reports;

namespace NodeNomad.Load.Tests;

public sealed class RunReports : IDisposable
{
    private readonly DirectoryInfo folder = Directory.CreateTempSubdirectory("nodenomad-load-tests-");

    [Fact]
    public void the_json_report_reads_back_as_written()
    {
        var report = SampleReports.Run();

        var path = JsonReport.Write(report, folder.FullName);

        var json = JsonDocument.Parse(File.ReadAllText(path)).RootElement;
        json.GetProperty("scenario").GetString().ShouldBe("mixed");
        json.GetProperty("phases").GetArrayLength().ShouldBe(2);
        json.GetProperty("errors").GetProperty("unavailable").GetInt64().ShouldBe(1);
        var back = JsonReport.Read(path);
        back.Phases[1].Latency.P99.ShouldBe(9.5);
        back.Events.Count.ShouldBe(3);
        back.Sound.ShouldBeTrue();
    }

    [Fact]
    public void the_markdown_report_has_a_row_per_phase_and_operation_and_links_the_charts()
    {
        var markdown = File.ReadAllText(MarkdownReport.Write(SampleReports.Run(), folder.FullName));

        markdown.ShouldContain("| phase | load | s | ops | ops/s | p50 ms |");
        markdown.ShouldContain("| constant | constant rate, 200 ops/s | 3.0 | 600 | 200 | 1.50 | 3.00 | 9.50 |");
        markdown.ShouldContain("| Read | 600 | 20 | 0 | 1 | 0 |");
        markdown.ShouldContain("| 4.2 | migrate shard-1 to node-4 started |");
        markdown.ShouldContain("**Verdict: sound**");
        markdown.ShouldContain("![throughput](throughput.png)");
    }

    [Fact]
    public void the_charts_are_png_files()
    {
        var paths = ChartReport.Write(SampleReports.Run(), folder.FullName);

        paths.Select(Path.GetFileName).ShouldBe(["throughput.png", "latency.png"]);
        foreach (var path in paths)
        {
            var bytes = File.ReadAllBytes(path);
            bytes.Length.ShouldBeGreaterThan(1000);
            bytes.Take(4).ShouldBe(new byte[] { 0x89, (byte)'P', (byte)'N', (byte)'G' });
        }
    }

    [Fact]
    public void a_comparison_gives_nodenomad_over_etcd_per_phase()
    {
        var comparison = CompareReport.Of(SampleReports.Run("NodeNomad", opsPerSecond: 200, p99: 9.5), SampleReports.Run("etcd", opsPerSecond: 100, p99: 19));

        CompareReport.Write(comparison, folder.FullName);

        var table = CompareReport.Table(comparison);
        table.ShouldContain("2.00x");
        table.ShouldContain("0.50x");
        File.ReadAllText(Path.Combine(folder.FullName, "compare.md")).ShouldContain("| constant | constant rate, 200 ops/s | 200 | 100 | 2.00x |");
        JsonDocument.Parse(File.ReadAllText(Path.Combine(folder.FullName, "compare.json"))).RootElement.GetProperty("rows").GetArrayLength().ShouldBe(2);
    }

    public void Dispose() => folder.Delete(recursive: true);
}
