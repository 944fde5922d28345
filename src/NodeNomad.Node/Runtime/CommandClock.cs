namespace NodeNomad.Node.Runtime;

/// <summary>
/// The clock commands are stamped with when they are encoded (expiry is decided when a write is logged): the wall
/// clock, but never behind a timestamp this node already stamped or applied from any log, so a node that becomes
/// leader after a node with a faster clock never stamps an earlier time. Safe to use from any thread.
/// </summary>
public sealed class CommandClock(TimeProvider clock)
{
    private long _last;

    /// <summary>A timestamp (Unix milliseconds) for a new command.</summary>
    public long Next() => Raise(clock.GetUtcNow().ToUnixTimeMilliseconds());

    /// <summary>The clock as it is now, without stamping.</summary>
    public long Now => Math.Max(clock.GetUtcNow().ToUnixTimeMilliseconds(), Volatile.Read(ref _last));

    /// <summary>A timestamp was applied from a log: later stamps are never behind it.</summary>
    public void Observe(long timestamp) => Raise(timestamp);

    /// <summary>Moves the clock up to <paramref name="candidate"/> unless it is past it already; returns where it stands.</summary>
    private long Raise(long candidate)
    {
        while (true)
        {
            var last = Volatile.Read(ref _last);
            if (candidate <= last)
            {
                return last;
            }

            if (Interlocked.CompareExchange(ref _last, candidate, last) == last)
            {
                return candidate;
            }
        }
    }
}
