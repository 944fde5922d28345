using System.Diagnostics;
using NodeNomad.Load.Stores;

namespace NodeNomad.Load.Scenarios;

/// <summary>One operation a client does: its kind and what it got. <paramref name="worker"/> is the sender, from 0.</summary>
internal delegate Task<(OperationKind Kind, OperationResult Result)> ScenarioOperation(int worker, CancellationToken cancellationToken);

/// <summary>Offers one phase's load, closed or open loop, and records every operation in a <see cref="RunRecorder"/>.</summary>
internal static class PhaseRunner
{
    /// <summary>An open loop's senders stop this long after the phase's end; what was due and not sent by then is counted as not sent.</summary>
    public static readonly TimeSpan LateLimit = TimeSpan.FromSeconds(5);

    /// <summary>A closed-loop phase ends after this many operations even if its time is not up.</summary>
    public const long MaxClosedOperations = 5_000_000;

    public static async Task RunAsync(LoadPhase phase, ScenarioOperation operation, RunRecorder recorder, CancellationToken cancellationToken)
    {
        recorder.BeginPhase(phase);
        var notSent = phase.Shape switch
        {
            ClosedLoad closed => await ClosedAsync(phase.Duration, closed.Clients, operation, recorder, cancellationToken),
            OpenLoad open => await OpenAsync(new OpenLoopSchedule(open.StartRate, open.EndRate, phase.Duration), open.MaxInFlight, operation, recorder, cancellationToken),
            _ => throw new ArgumentException($"unknown load shape {phase.Shape}", nameof(phase)),
        };
        recorder.EndPhase(notSent);
    }

    private static async Task<long> ClosedAsync(TimeSpan duration, int clients, ScenarioOperation operation, RunRecorder recorder, CancellationToken cancellationToken)
    {
        var deadline = Stopwatch.GetTimestamp() + (long)(duration.TotalSeconds * Stopwatch.Frequency);
        long issued = 0;
        await Task.WhenAll(Enumerable.Range(0, clients).Select(client => Task.Run(async () =>
        {
            while (Stopwatch.GetTimestamp() < deadline && Interlocked.Increment(ref issued) <= MaxClosedOperations)
            {
                var sent = Stopwatch.GetTimestamp();
                var (kind, result) = await operation(client, cancellationToken);
                recorder.Record(kind, result, sent, sent, Stopwatch.GetTimestamp());
            }
        }, cancellationToken)));
        return 0;
    }

    private static async Task<long> OpenAsync(OpenLoopSchedule schedule, int senders, ScenarioOperation operation, RunRecorder recorder, CancellationToken cancellationToken)
    {
        var begun = Stopwatch.GetTimestamp();
        var giveUp = begun + (long)((schedule.Duration + LateLimit).TotalSeconds * Stopwatch.Frequency);
        long next = -1;
        long sentCount = 0;
        await Task.WhenAll(Enumerable.Range(0, senders).Select(sender => Task.Run(async () =>
        {
            while (schedule.DueAt(Interlocked.Increment(ref next)) is { } offset)
            {
                var due = begun + (long)(offset.TotalSeconds * Stopwatch.Frequency);
                var wait = due - Stopwatch.GetTimestamp();
                if (wait > 0)
                {
                    await Task.Delay(TimeSpan.FromSeconds((double)wait / Stopwatch.Frequency), cancellationToken);
                }
                else if (Stopwatch.GetTimestamp() > giveUp)
                {
                    break;
                }

                // Sent late when every sender was busy: the latency still counts from when it was due.
                var sent = Stopwatch.GetTimestamp();
                Interlocked.Increment(ref sentCount);
                var (kind, result) = await operation(sender, cancellationToken);
                recorder.Record(kind, result, due, sent, Stopwatch.GetTimestamp());
            }
        }, cancellationToken)));
        return schedule.Count - sentCount;
    }
}
