using System.Collections.Concurrent;
using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace NodeNomad.Client.Tests;

/// <summary>
/// The client's spans and duration measurements made under one test's own trace: the listeners are process-wide and
/// other tests run clients at the same time, so only what descends from <see cref="Trace"/> is kept.
/// </summary>
internal sealed class ClientSignals : IDisposable
{
    private readonly Activity _trace = new Activity("test").Start();
    private readonly ActivityListener _spans;
    private readonly MeterListener _meters = new();

    public ClientSignals()
    {
        var trace = _trace.TraceId;
        _spans = new ActivityListener
        {
            ShouldListenTo = source => source.Name == ClientTelemetry.Name,
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = span =>
            {
                if (span.TraceId == trace)
                {
                    Spans.Enqueue(span);
                }
            },
        };
        ActivitySource.AddActivityListener(_spans);
        _meters.InstrumentPublished = (instrument, listener) =>
        {
            if (instrument.Meter.Name == ClientTelemetry.Name && instrument.Name == "db.client.operation.duration")
            {
                listener.EnableMeasurementEvents(instrument);
            }
        };

        // A measurement is recorded while the operation's span is current.
        _meters.SetMeasurementEventCallback<double>((_, value, tags, _) =>
        {
            if (Activity.Current?.TraceId == trace)
            {
                Durations.Enqueue((value, tags.ToArray().ToDictionary(t => t.Key, t => t.Value)));
            }
        });
        _meters.Start();
    }

    public ConcurrentQueue<Activity> Spans { get; } = new();

    public ConcurrentQueue<(double Seconds, Dictionary<string, object?> Tags)> Durations { get; } = new();

    public void Dispose()
    {
        _meters.Dispose();
        _spans.Dispose();
        _trace.Stop();
    }
}
