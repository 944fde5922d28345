using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using NodeNomad.Node.Transport;

namespace NodeNomad.Node.Tests.Transport;

/// <summary>Sums the transport's counters made through one meter factory (one application), keyed by instrument and frame type.</summary>
internal sealed class TransportMeter : IDisposable
{
    private readonly MeterListener _listener = new();
    private readonly ConcurrentDictionary<string, long> _totals = new();

    public TransportMeter(IMeterFactory factory)
    {
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (instrument.Meter.Name == RaftTransportMetrics.MeterName && ReferenceEquals(instrument.Meter.Scope, factory))
            {
                listener.EnableMeasurementEvents(instrument);
            }
        };
        _listener.SetMeasurementEventCallback<long>((instrument, value, tags, _) =>
        {
            var key = instrument.Name;
            foreach (var tag in tags)
            {
                key += $"/{tag.Value}";
            }

            _totals.AddOrUpdate(key, value, (_, total) => total + value);
        });
        _listener.Start();
    }

    /// <summary>The total of an instrument, such as <c>frames.received/batch</c> or <c>messages.received</c>.</summary>
    public long this[string name] => _totals.GetValueOrDefault($"nodenomad.transport.{name}");

    public void Dispose() => _listener.Dispose();
}
