namespace NodeNomad.Node.Telemetry;

/// <summary>The most recent latencies, enough for a p99 on the cluster API (the /metrics histograms are the precise record).</summary>
public sealed class LatencyWindow
{
    private const int Capacity = 4096;
    private readonly double[] _samples = new double[Capacity];
    private readonly Lock _gate = new();
    private long _count;

    /// <summary>Adds a latency in milliseconds.</summary>
    public void Add(double milliseconds)
    {
        lock (_gate)
        {
            _samples[_count % Capacity] = milliseconds;
            _count++;
        }
    }

    /// <summary>The <paramref name="quantile"/> (0..1) of the kept samples, or 0 when there are none.</summary>
    public double Quantile(double quantile)
    {
        double[] copy;
        lock (_gate)
        {
            var n = (int)Math.Min(_count, Capacity);
            copy = _samples.AsSpan(0, n).ToArray();
        }

        if (copy.Length == 0)
        {
            return 0;
        }

        Array.Sort(copy);
        var rank = (int)Math.Ceiling(quantile * copy.Length) - 1;
        return copy[Math.Clamp(rank, 0, copy.Length - 1)];
    }
}
