using System.Collections.Concurrent;
using Microsoft.Extensions.Options;

namespace NodeNomad.Node.Security;

/// <summary>
/// A token bucket per caller (an API key, or the address of an anonymous caller): <c>RATE_LIMIT_PER_SECOND</c>
/// tokens a second up to <c>RATE_LIMIT_BURST</c>, one per request. Each node keeps its own buckets, so a caller
/// spreading requests over nodes gets the rate at each.
/// </summary>
public sealed class CallerRateLimiter(IOptions<ClientAccessOptions> options, TimeProvider clock)
{
    // Buckets of callers gone quiet are dropped once there are this many, so addresses cannot grow the table for ever.
    private const int PruneAbove = 10_000;

    private readonly double _rate = options.Value.RateLimitPerSecond;
    private readonly int _burst = options.Value.EffectiveBurst;
    private readonly ConcurrentDictionary<string, Bucket> _buckets = new(StringComparer.Ordinal);

    /// <summary>Whether a limit is set.</summary>
    public bool IsEnabled => _rate > 0;

    /// <summary>Takes a token for <paramref name="caller"/>; when there is none, the seconds until there is one.</summary>
    public (bool Allowed, int RetryAfterSeconds) TryTake(string caller)
    {
        if (!IsEnabled)
        {
            return (true, 0);
        }

        var now = clock.GetUtcNow().UtcTicks;
        if (_buckets.Count > PruneAbove)
        {
            Prune(now);
        }

        var bucket = _buckets.GetOrAdd(caller, _ => new Bucket(_burst, now));
        lock (bucket)
        {
            bucket.Refill(now, _rate, _burst);
            if (bucket.Tokens >= 1)
            {
                bucket.Tokens -= 1;
                return (true, 0);
            }

            return (false, Math.Max(1, (int)Math.Ceiling((1 - bucket.Tokens) / _rate)));
        }
    }

    private void Prune(long now)
    {
        foreach (var (caller, bucket) in _buckets)
        {
            lock (bucket)
            {
                bucket.Refill(now, _rate, _burst);
                if (bucket.Tokens >= _burst)
                {
                    _buckets.TryRemove(caller, out _);
                }
            }
        }
    }

    private sealed class Bucket(double tokens, long at)
    {
        public double Tokens { get; set; } = tokens;

        private long _at = at;

        public void Refill(long now, double rate, int burst)
        {
            // A clock that went back adds nothing.
            Tokens = Math.Min(burst, Tokens + (Math.Max(0, now - _at) / (double)TimeSpan.TicksPerSecond * rate));
            _at = Math.Max(_at, now);
        }
    }
}
