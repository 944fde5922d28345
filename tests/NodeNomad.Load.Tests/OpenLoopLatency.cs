using System.Diagnostics;
using NodeNomad.Load.Scenarios;
using NodeNomad.Load.Stores;

namespace NodeNomad.Load.Tests;

/// <summary>An open loop measures from when each operation was due, so one stall shows in every operation it held up.</summary>
public sealed class OpenLoopLatency
{
    [Fact]
    public async Task a_stall_counts_against_every_operation_due_during_it()
    {
        var recorder = new RunRecorder(Stopwatch.GetTimestamp());
        var calls = 0;
        ScenarioOperation operation = async (_, cancellationToken) =>
        {
            // The first operation stalls 400 ms; with one sender, the 39 due behind it (every 10 ms) leave late.
            if (Interlocked.Increment(ref calls) == 1)
            {
                await Task.Delay(400, cancellationToken);
            }

            return (OperationKind.Write, OperationResult.Ok());
        };

        await PhaseRunner.RunAsync(new LoadPhase("stall", TimeSpan.FromSeconds(1), new OpenLoad(100, 100, MaxInFlight: 1)), operation, recorder,
            TestContext.Current.CancellationToken);

        var phase = recorder.PhaseReports().ShouldHaveSingleItem();
        phase.Answered.ShouldBe(100);
        phase.NotSent.ShouldBe(0);
        // Measured from the send, only the stalled operation is slow; from the due time, about a fifth of them are over 200 ms.
        phase.ServiceTime.P90.ShouldBeLessThan(50);
        phase.Latency.P50.ShouldBeLessThan(phase.Latency.P90);
        phase.Latency.P90.ShouldBeGreaterThan(100);
        phase.Latency.Max.ShouldBeGreaterThanOrEqualTo(390);
    }

    [Fact]
    public async Task operations_due_too_long_after_the_phase_are_not_sent_but_counted()
    {
        var recorder = new RunRecorder(Stopwatch.GetTimestamp());
        ScenarioOperation stuck = async (_, cancellationToken) =>
        {
            await Task.Delay(PhaseRunner.LateLimit + TimeSpan.FromSeconds(2), cancellationToken);
            return (OperationKind.Read, OperationResult.Ok());
        };

        await PhaseRunner.RunAsync(new LoadPhase("stuck", TimeSpan.FromSeconds(1), new OpenLoad(20, 20, MaxInFlight: 2)), stuck, recorder,
            TestContext.Current.CancellationToken);

        var phase = recorder.PhaseReports().ShouldHaveSingleItem();
        phase.Answered.ShouldBe(2);
        phase.NotSent.ShouldBe(18);
    }
}
