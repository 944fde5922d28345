using HdrHistogram;

namespace NodeNomad.Load;

/// <summary>One measured run: a number of clients against one target.</summary>
/// <param name="Clients">Concurrent clients, each one loop on its own connection.</param>
/// <param name="Elapsed">From the first request sent to the last one answered.</param>
/// <param name="Latency">Latency of successful requests, in microseconds.</param>
/// <param name="Failures">Requests refused or not answered.</param>
/// <param name="FirstFailure">What went wrong first, when anything did.</param>
internal sealed record RunResult(int Clients, TimeSpan Elapsed, HistogramBase Latency, long Failures, string? FirstFailure)
{
    /// <summary>The target's own count of writes and fsyncs during the run.</summary>
    public DurabilityCounters Durable { get; init; }

    /// <summary>Something that happened during the run and bears on its figures (a change of leader), or null.</summary>
    public string? Disturbance { get; init; }

    /// <summary>Successful requests.</summary>
    public long Operations => Latency.TotalCount;

    public double OperationsPerSecond => Operations / Elapsed.TotalSeconds;

    public double SyncsPerSecond => Durable.Syncs / Elapsed.TotalSeconds;

    public double Milliseconds(double percentile) => Latency.GetValueAtPercentile(percentile) / 1000.0;

    public double MaxMilliseconds => Latency.GetMaxValue() / 1000.0;
}
