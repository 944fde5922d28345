using NodeNomad.Load.Comparison;
using NodeNomad.Load.Scenarios;

namespace NodeNomad.Load.Tests;

/// <summary>The comparison's writes: however many senders, every write goes to a key no write used before.</summary>
public sealed class AFreshKeyWorkload
{
    [Fact]
    public async Task every_write_of_sixteen_senders_takes_a_new_key()
    {
        var store = new FakeStore(FakeStore.Defect.LosesAWrite, lostKeySuffix: "no such key");
        var phase = new LoadPhase("closed", TimeSpan.FromSeconds(1), new ClosedLoad(16));
        var workload = new ScenarioWorkload(ComparisonWorkloads.Writes(3, 8, [phase]), store, seed: 3, "load/fresh");
        var recorder = new RunRecorder(System.Diagnostics.Stopwatch.GetTimestamp());

        await PhaseRunner.RunAsync(phase, workload.NextAsync, recorder, TestContext.Current.CancellationToken);

        var written = recorder.PhaseReports().ShouldHaveSingleItem().Answered;
        written.ShouldBeGreaterThan(100);
        store.KeysWritten.ShouldBe((int)written);
        workload.Writes.ToCheck(int.MaxValue).ShouldAllBe(k => k.Version == 1);
    }
}
