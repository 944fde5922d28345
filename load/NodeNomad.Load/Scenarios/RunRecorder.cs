using System.Diagnostics;
using HdrHistogram;
using NodeNomad.Load.Reports;
using NodeNomad.Load.Stores;

namespace NodeNomad.Load.Scenarios;

/// <summary>
/// Collects what a run's operations got: per phase, per operation kind and per second, latencies in HdrHistograms
/// (microseconds) and outcomes by kind, plus the events on the run's timeline. Safe to call from every client at once.
/// </summary>
internal sealed class RunRecorder
{
    // Recorded in microseconds up to a minute, beyond any client timeout, so nothing is clipped.
    private const long HighestMicroseconds = 60_000_000;
    private const int SignificantDigits = 3;
    private const int KeptErrorSamples = 10;

    private readonly object gate = new();
    private readonly long started;
    private readonly List<PhaseTally> phases = [];
    private readonly Dictionary<OperationKind, KindTally> kinds = [];
    private readonly List<SecondTally> seconds = [];
    private readonly List<EventReport> events = [];
    private readonly List<string> errorSamples = [];
    private long timeouts;
    private long unavailable;
    private long other;
    private long redirects;

    /// <param name="started">The start of the load, a <see cref="Stopwatch"/> timestamp: second 0 of the timeline.</param>
    public RunRecorder(long started) => this.started = started;

    public long Started => started;

    /// <summary>The phase now running, or null before the first.</summary>
    public string? Phase { get; private set; }

    public IReadOnlyList<EventReport> Events
    {
        get
        {
            lock (gate)
            {
                return [.. events];
            }
        }
    }

    public void BeginPhase(LoadPhase phase)
    {
        lock (gate)
        {
            phases.Add(new PhaseTally(phase, Stopwatch.GetTimestamp()));
            Phase = phase.Describe();
            events.Add(new EventReport(Now(), $"phase {phase.Describe()}"));
        }
    }

    public void EndPhase(long notSent)
    {
        lock (gate)
        {
            var phase = phases[^1];
            phase.Ended = Stopwatch.GetTimestamp();
            phase.NotSent = notSent;
        }
    }

    /// <summary>Puts <paramref name="text"/> on the timeline now.</summary>
    public void Mark(string text)
    {
        lock (gate)
        {
            events.Add(new EventReport(Now(), text));
        }
    }

    /// <summary>Records one operation: due at <paramref name="due"/>, answered at <paramref name="answered"/>, sent at <paramref name="sent"/> (timestamps).</summary>
    public void Record(OperationKind kind, OperationResult result, long due, long sent, long answered)
    {
        var latency = Micros(answered - due);
        var service = Micros(answered - sent);
        var second = (int)Math.Max(0, (answered - started) / Stopwatch.Frequency);
        lock (gate)
        {
            redirects += result.Redirects;
            if (!kinds.TryGetValue(kind, out var tally))
            {
                kinds[kind] = tally = new KindTally();
            }

            tally.Count(result.Outcome);
            while (seconds.Count <= second)
            {
                seconds.Add(new SecondTally());
            }

            var phase = phases.Count > 0 ? phases[^1] : null;
            if (result.Outcome == Outcome.NotSupported)
            {
                return;
            }

            if (result.IsError)
            {
                seconds[second].Errors++;
                phase?.CountError(result.Outcome);
                switch (result.Outcome)
                {
                    case Outcome.Timeout:
                        timeouts++;
                        break;
                    case Outcome.Unavailable:
                        unavailable++;
                        break;
                    default:
                        other++;
                        break;
                }

                if (errorSamples.Count < KeptErrorSamples && result.Detail is { } detail)
                {
                    errorSamples.Add($"{kind} {result.Outcome}: {detail}");
                }

                return;
            }

            tally.Latency.RecordValue(latency);
            seconds[second].Latency.RecordValue(latency);
            if (phase is not null)
            {
                phase.Latency.RecordValue(latency);
                phase.ServiceTime.RecordValue(service);
            }
        }
    }

    /// <summary>What the progress line shows: the last whole second's figures and the errors so far.</summary>
    public ProgressSnapshot Snapshot()
    {
        lock (gate)
        {
            var now = (int)((Stopwatch.GetTimestamp() - started) / Stopwatch.Frequency);
            var last = now >= 1 && now - 1 < seconds.Count ? seconds[now - 1] : null;
            return new ProgressSnapshot(Stopwatch.GetElapsedTime(started), Phase, last?.Latency.TotalCount ?? 0,
                last is { Latency.TotalCount: > 0 } ? Milliseconds(last.Latency, 50) : 0, last is { Latency.TotalCount: > 0 } ? Milliseconds(last.Latency, 99) : 0,
                new ErrorCounts(timeouts, unavailable, other), redirects);
        }
    }

    public IReadOnlyList<PhaseReport> PhaseReports()
    {
        lock (gate)
        {
            return [.. phases.Select(p =>
            {
                var seconds = Stopwatch.GetElapsedTime(p.Begun, p.Ended ?? Stopwatch.GetTimestamp()).TotalSeconds;
                return new PhaseReport(p.Phase.Name, p.Phase.Shape.Describe(), Stopwatch.GetElapsedTime(started, p.Begun).TotalSeconds, seconds,
                    p.Latency.TotalCount, p.Latency.TotalCount / Math.Max(0.001, seconds), LatencyOf(p.Latency), LatencyOf(p.ServiceTime),
                    new ErrorCounts(p.Timeouts, p.Unavailable, p.Other), p.NotSent);
            })];
        }
    }

    public IReadOnlyList<OperationReport> OperationReports()
    {
        lock (gate)
        {
            return [.. kinds.OrderBy(k => k.Key).Select(k => new OperationReport(k.Key.ToString(), k.Value.Ok, k.Value.NotFound, k.Value.Conflict,
                k.Value.Errors, k.Value.NotSupported, LatencyOf(k.Value.Latency)))];
        }
    }

    public IReadOnlyList<SecondReport> Timeline()
    {
        lock (gate)
        {
            return [.. seconds.Select((s, i) => new SecondReport(i, s.Latency.TotalCount, s.Errors,
                s.Latency.TotalCount > 0 ? Milliseconds(s.Latency, 50) : 0, s.Latency.TotalCount > 0 ? Milliseconds(s.Latency, 99) : 0))];
        }
    }

    public ErrorCounts Errors()
    {
        lock (gate)
        {
            return new ErrorCounts(timeouts, unavailable, other);
        }
    }

    public long Redirects()
    {
        lock (gate)
        {
            return redirects;
        }
    }

    public IReadOnlyList<string> ErrorSamples()
    {
        lock (gate)
        {
            return [.. errorSamples];
        }
    }

    /// <summary>The latency histogram of every answered operation of every phase, merged.</summary>
    public HistogramBase MergedLatency()
    {
        lock (gate)
        {
            var merged = NewHistogram();
            foreach (var phase in phases)
            {
                merged.Add(phase.Latency);
            }

            return merged;
        }
    }

    public static Latency LatencyOf(HistogramBase histogram) => histogram.TotalCount == 0
        ? new Latency(0, 0, 0, 0, 0)
        : new Latency(Milliseconds(histogram, 50), Milliseconds(histogram, 90), Milliseconds(histogram, 99), Milliseconds(histogram, 99.9),
            histogram.GetMaxValue() / 1000.0);

    private static double Milliseconds(HistogramBase histogram, double percentile) => histogram.GetValueAtPercentile(percentile) / 1000.0;

    private static long Micros(long timestamps) => Math.Clamp(timestamps * 1_000_000 / Stopwatch.Frequency, 0, HighestMicroseconds);

    private static LongHistogram NewHistogram() => new(HighestMicroseconds, SignificantDigits);

    private double Now() => Stopwatch.GetElapsedTime(started).TotalSeconds;

    private sealed class PhaseTally(LoadPhase phase, long begun)
    {
        public LoadPhase Phase { get; } = phase;

        public long Begun { get; } = begun;

        public long? Ended { get; set; }

        public long NotSent { get; set; }

        public LongHistogram Latency { get; } = NewHistogram();

        public LongHistogram ServiceTime { get; } = NewHistogram();

        public long Timeouts { get; private set; }

        public long Unavailable { get; private set; }

        public long Other { get; private set; }

        public void CountError(Outcome outcome)
        {
            switch (outcome)
            {
                case Outcome.Timeout:
                    Timeouts++;
                    break;
                case Outcome.Unavailable:
                    Unavailable++;
                    break;
                default:
                    Other++;
                    break;
            }
        }
    }

    private sealed class KindTally
    {
        public LongHistogram Latency { get; } = NewHistogram();

        public long Ok { get; private set; }

        public long NotFound { get; private set; }

        public long Conflict { get; private set; }

        public long Errors { get; private set; }

        public long NotSupported { get; private set; }

        public void Count(Outcome outcome)
        {
            switch (outcome)
            {
                case Outcome.Ok:
                    Ok++;
                    break;
                case Outcome.NotFound:
                    NotFound++;
                    break;
                case Outcome.Conflict:
                    Conflict++;
                    break;
                case Outcome.NotSupported:
                    NotSupported++;
                    break;
                default:
                    Errors++;
                    break;
            }
        }
    }

    private sealed class SecondTally
    {
        public LongHistogram Latency { get; } = NewHistogram();

        public long Errors { get; set; }
    }
}
