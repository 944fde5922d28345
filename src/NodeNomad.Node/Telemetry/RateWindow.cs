namespace NodeNomad.Node.Telemetry;

/// <summary>Events per second over the last few whole seconds, kept in one-second buckets.</summary>
public sealed class RateWindow(TimeProvider clock)
{
    private const int Seconds = 10;
    private readonly long[] _counts = new long[Seconds];
    private readonly long[] _stamps = new long[Seconds];
    private readonly Lock _gate = new();

    /// <summary>Counts one event now.</summary>
    public void Add()
    {
        var second = clock.GetUtcNow().ToUnixTimeSeconds();
        var slot = (int)(second % Seconds);
        lock (_gate)
        {
            if (_stamps[slot] != second)
            {
                _stamps[slot] = second;
                _counts[slot] = 0;
            }

            _counts[slot]++;
        }
    }

    /// <summary>The average rate over the last complete seconds (the current, partial second excluded).</summary>
    public double PerSecond()
    {
        var now = clock.GetUtcNow().ToUnixTimeSeconds();
        long total = 0;
        lock (_gate)
        {
            for (var i = 0; i < Seconds; i++)
            {
                if (_stamps[i] < now && _stamps[i] >= now - (Seconds - 1))
                {
                    total += _counts[i];
                }
            }
        }

        return total / (double)(Seconds - 1);
    }
}
