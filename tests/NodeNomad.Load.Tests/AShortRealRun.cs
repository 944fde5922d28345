using System.Text.Json;
using NodeNomad.Load.Reports;
using NodeNomad.Load.Scenarios;

namespace NodeNomad.Load.Tests;

/// <summary>
/// The mixed scenario, cut to a few seconds of light load, against three real nodes (the Release build that
/// tests/run.sh makes): no errors, nothing lost, and a report a tool and a person can read.
/// </summary>
public sealed class AShortRealRun : IDisposable
{
    private readonly DirectoryInfo folder = Directory.CreateTempSubdirectory("nodenomad-load-run-");

    [Fact]
    public async Task a_light_mixed_load_on_three_nodes_loses_nothing_and_writes_its_report()
    {
        var scenario = ScenarioCatalog.Find("mixed", LoadProfile.Ci, out _)! with
        {
            Keys = 200,
            PreloadedKeys = 100,
            Phases =
            [
                new LoadPhase("closed", TimeSpan.FromSeconds(3), new ClosedLoad(2)),
                new LoadPhase("constant", TimeSpan.FromSeconds(4), new OpenLoad(50, 50, 16)),
            ],
        };
        var output = new StringWriter();

        var report = await ScenarioRunner.RunAsync(scenario, StoreKind.NodeNomad, LoadProfile.Ci, seed: 5, folder.FullName, output, live: false,
            TestContext.Current.CancellationToken);

        TestContext.Current.TestOutputHelper?.WriteLine(output.ToString());
        report.Errors.Total.ShouldBe(0, string.Join("\n", report.ErrorSamples));
        report.Sound.ShouldBeTrue();
        report.LossCheck.Checked.ShouldBeGreaterThan(50);
        report.Phases.Count.ShouldBe(2);
        report.Phases[1].Answered.ShouldBe(200);
        report.Operations.Select(o => o.Kind).ShouldBe(["Read", "StaleRead", "Write", "CompareAndSet", "Delete", "Scan"], ignoreOrder: true);
        JsonDocument.Parse(File.ReadAllText(Path.Combine(folder.FullName, JsonReport.FileName))).RootElement.GetProperty("phases").GetArrayLength().ShouldBe(2);
        File.ReadAllText(Path.Combine(folder.FullName, MarkdownReport.FileName)).ShouldContain("| constant | constant rate, 50 ops/s |");
        File.Exists(Path.Combine(folder.FullName, ChartReport.ThroughputFile)).ShouldBeTrue();
        File.Exists(Path.Combine(folder.FullName, ChartReport.LatencyFile)).ShouldBeTrue();
        output.ToString().ShouldContain("mixed on NodeNomad (ci): ");
    }

    public void Dispose() => folder.Delete(recursive: true);
}
