using System.Diagnostics;
using HdrHistogram;

namespace NodeNomad.Load;

/// <summary>One operation of a client: its number, the operations it did before, and the run's count of operations issued (this one included).</summary>
internal delegate Task Operation(int client, long sequence, long ticket, CancellationToken cancellationToken);

/// <summary>
/// A closed loop like <see cref="ClosedLoop"/>, over any awaited operation rather than one HTTP request, so that a
/// client library (the shard-aware client) is measured the same way as raw requests: an operation that throws is a
/// failure, anything else a success.
/// </summary>
internal static class OperationLoop
{
    private const long HighestMicroseconds = 60_000_000;
    private const int SignificantDigits = 3;

    public static async Task<RunResult> RunAsync(int clients, TimeSpan duration, long budget, Operation operation, CancellationToken cancellationToken)
    {
        var deadline = Stopwatch.GetTimestamp() + (long)(duration.TotalSeconds * Stopwatch.Frequency);
        long issued = 0;
        long failures = 0;
        string? firstFailure = null;

        async Task<LongHistogram> ClientAsync(int client)
        {
            var latency = new LongHistogram(HighestMicroseconds, SignificantDigits);
            for (long sequence = 0; Stopwatch.GetTimestamp() < deadline; sequence++)
            {
                var ticket = Interlocked.Increment(ref issued);
                if (ticket > budget)
                {
                    break;
                }

                var start = Stopwatch.GetTimestamp();
                try
                {
                    await operation(client, sequence, ticket, cancellationToken);
                    latency.RecordValue(Math.Min(Stopwatch.GetElapsedTime(start).Ticks / TimeSpan.TicksPerMicrosecond, HighestMicroseconds));
                }
                catch (Exception e) when (!cancellationToken.IsCancellationRequested)
                {
                    Interlocked.Increment(ref failures);
                    Interlocked.CompareExchange(ref firstFailure, $"{e.GetType().Name}: {e.Message}", null);
                }
            }

            return latency;
        }

        var started = Stopwatch.GetTimestamp();
        var perClient = await Task.WhenAll(Enumerable.Range(0, clients).Select(client => Task.Run(() => ClientAsync(client), cancellationToken)));
        var elapsed = Stopwatch.GetElapsedTime(started);
        var merged = new LongHistogram(HighestMicroseconds, SignificantDigits);
        foreach (var histogram in perClient)
        {
            merged.Add(histogram);
        }

        return new RunResult(clients, elapsed, merged, failures, firstFailure);
    }
}
