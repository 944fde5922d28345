using NodeNomad.Load.Scenarios;

namespace NodeNomad.Load.Tests;

/// <summary>
/// The chaos scenario's two judges, against in-process fakes with a defect: the linearizability checker catches a
/// store that answers stale reads, and the final read-back catches one that loses an acknowledged write. A history
/// the checker cannot judge in time does not pass either.
/// </summary>
public sealed class AChaosRunsCheck : IDisposable
{
    private readonly DirectoryInfo folder = Directory.CreateTempSubdirectory("nodenomad-load-chaos-");

    [Fact]
    public async Task a_store_that_answers_stale_reads_is_caught_by_the_history_check()
    {
        var (report, output) = await RunAsync(new FakeStore(FakeStore.Defect.StaleReads));

        report.History.ShouldNotBeNull().Verdict.ShouldBe("NotLinearizable", output);
        report.Sound.ShouldBeFalse();
        File.ReadAllText(Path.Combine(folder.FullName, "history.edn")).ShouldStartWith(Linearizability.NodeNomadKvHistory.Header);
        output.ShouldContain("history NotLinearizable");
    }

    [Fact]
    public async Task a_store_that_loses_an_acknowledged_write_is_caught_by_the_read_back()
    {
        var (report, output) = await RunAsync(new FakeStore(FakeStore.Defect.LosesAWrite));

        report.LossCheck.Lost.ShouldBe(1, output);
        report.LossCheck.FirstLost.ShouldNotBeNull().ShouldContain("k000000");
        report.Sound.ShouldBeFalse();
    }

    [Fact]
    public async Task a_sound_store_passes_both_checks()
    {
        var (report, output) = await RunAsync(new FakeStore(FakeStore.Defect.LosesAWrite, lostKeySuffix: "no such key"));

        report.History.ShouldNotBeNull().Verdict.ShouldBe("Linearizable", output);
        report.LossCheck.Checked.ShouldBe(4);
        report.Sound.ShouldBeTrue();
    }

    [Fact]
    public async Task a_history_the_checker_cannot_judge_in_time_fails_the_run()
    {
        var (report, output) = await RunAsync(new FakeStore(FakeStore.Defect.LosesAWrite, lostKeySuffix: "no such key"), historyLimit: TimeSpan.Zero);

        report.History.ShouldNotBeNull().Verdict.ShouldBe("Timeout", output);
        report.LossCheck.Lost.ShouldBe(0, output);
        report.Sound.ShouldBeFalse();
        output.ShouldContain("chaos: NOT SOUND, the checker reached no verdict on the client history within 0 s");
        File.ReadAllText(Path.Combine(folder.FullName, "report.md")).ShouldContain("**Verdict: NOT SOUND**");
    }

    public void Dispose() => folder.Delete(recursive: true);

    private async Task<(Reports.RunReport Report, string Output)> RunAsync(FakeStore store, TimeSpan? historyLimit = null)
    {
        var scenario = ScenarioCatalog.Find("chaos", LoadProfile.Ci, out _)! with
        {
            Keys = 4,
            Faults = [],
            Phases = [new LoadPhase("closed", TimeSpan.FromSeconds(2), new ClosedLoad(4))],
        };
        if (historyLimit is { } limit)
        {
            scenario = scenario with { HistoryLimit = limit };
        }

        var output = new StringWriter();
        using var admin = new HttpClient();
        var report = await ScenarioRunner.RunAsync(scenario, store, admin, LoadProfile.Ci, seed: 7, folder.FullName, output, live: false,
            TestContext.Current.CancellationToken);
        return (report, output.ToString());
    }
}
