namespace NodeNomad.Node.Snapshots;

/// <summary>
/// A token bucket over the snapshot bytes a node sends, shared by all its peer links, so that moving replicas leaves
/// room for client traffic. Nothing waits inside it: a sender asks whether a chunk may go now and, if not, how long
/// until it may, and sends its other frames meanwhile.
/// </summary>
public sealed class SnapshotBandwidth
{
    private readonly Lock _gate = new();
    private readonly TimeProvider _time;
    private long _bytesPerSecond;
    private double _tokens;
    private long _stamp;

    /// <param name="bytesPerSecond">The limit; 0 for none.</param>
    /// <param name="time">The clock; the system's by default.</param>
    public SnapshotBandwidth(long bytesPerSecond, TimeProvider? time = null)
    {
        _time = time ?? TimeProvider.System;
        _stamp = _time.GetTimestamp();
        BytesPerSecond = bytesPerSecond;
    }

    /// <summary>The limit in bytes per second, 0 for none; it may change while snapshots are sent.</summary>
    public long BytesPerSecond
    {
        get => Volatile.Read(ref _bytesPerSecond);
        set
        {
            ArgumentOutOfRangeException.ThrowIfNegative(value);
            lock (_gate)
            {
                _bytesPerSecond = value;
                _tokens = Math.Min(_tokens, Burst(value));
            }
        }
    }

    /// <summary>
    /// Takes <paramref name="bytes"/> when the bucket holds them (or there is no limit); otherwise takes nothing and
    /// says in <paramref name="wait"/> how long until it will.
    /// </summary>
    public bool TryTake(int bytes, out TimeSpan wait)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(bytes);
        lock (_gate)
        {
            wait = TimeSpan.Zero;
            var rate = _bytesPerSecond;
            if (rate == 0)
            {
                return true;
            }

            var now = _time.GetTimestamp();
            var burst = Burst(rate);
            _tokens = Math.Min(burst, _tokens + (_time.GetElapsedTime(_stamp, now).TotalSeconds * rate));
            _stamp = now;

            // A chunk larger than the bucket goes once the bucket is full, so that any chunk size makes progress.
            var needed = Math.Min(bytes, burst);
            if (_tokens >= needed)
            {
                _tokens -= bytes;
                return true;
            }

            wait = TimeSpan.FromSeconds((needed - _tokens) / rate);
            return false;
        }
    }

    /// <summary>The bucket holds a tenth of a second's bytes (so short bursts smooth out), at least 64 KiB.</summary>
    private static double Burst(long rate) => Math.Max(64 * 1024, rate / 10.0);
}
