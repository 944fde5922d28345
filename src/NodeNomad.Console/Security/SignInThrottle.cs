using System.Net;

namespace NodeNomad.Console.Security;

/// <summary>
/// Locks sign-in for a client address after <see cref="MaxFailures"/> wrong passwords within <see cref="Window"/>:
/// until the oldest of those failures is a window old, every attempt from that address is refused (the right password
/// too, or the lock would tell a guesser when it guessed right). A successful sign-in forgets the address's failures.
/// Time comes from the <see cref="TimeProvider"/>, so the lock can be tested without waiting.
/// </summary>
public sealed class SignInThrottle(TimeProvider clock)
{
    /// <summary>Wrong passwords from one address that lock it.</summary>
    public const int MaxFailures = 5;

    /// <summary>How long a failure counts against its address.</summary>
    public static readonly TimeSpan Window = TimeSpan.FromMinutes(5);

    // Addresses tracked at most: past it, those whose failures have all expired are dropped first, then the oldest.
    private const int MaxAddresses = 10_000;

    private readonly Dictionary<string, Queue<DateTimeOffset>> _failures = new(StringComparer.Ordinal);
    private readonly Lock _lock = new();

    /// <summary>How long <paramref name="address"/> stays locked; zero when it may try.</summary>
    public TimeSpan LockedFor(IPAddress? address)
    {
        var now = clock.GetUtcNow();
        lock (_lock)
        {
            if (!_failures.TryGetValue(Key(address), out var failures))
            {
                return TimeSpan.Zero;
            }

            Expire(failures, now);
            return failures.Count >= MaxFailures ? failures.Peek() + Window - now : TimeSpan.Zero;
        }
    }

    /// <summary>Counts a wrong password from <paramref name="address"/>; returns how long it is now locked (zero when not).</summary>
    public TimeSpan Failed(IPAddress? address)
    {
        var now = clock.GetUtcNow();
        lock (_lock)
        {
            var key = Key(address);
            if (!_failures.TryGetValue(key, out var failures))
            {
                if (_failures.Count >= MaxAddresses)
                {
                    Prune(now);
                }

                _failures[key] = failures = new Queue<DateTimeOffset>();
            }

            Expire(failures, now);
            failures.Enqueue(now);
            while (failures.Count > MaxFailures)
            {
                failures.Dequeue();
            }

            return failures.Count >= MaxFailures ? failures.Peek() + Window - now : TimeSpan.Zero;
        }
    }

    /// <summary>Forgets the failures of <paramref name="address"/>, which just signed in.</summary>
    public void Succeeded(IPAddress? address)
    {
        lock (_lock)
        {
            _failures.Remove(Key(address));
        }
    }

    private static string Key(IPAddress? address) => address?.ToString() ?? "unknown";

    private static void Expire(Queue<DateTimeOffset> failures, DateTimeOffset now)
    {
        while (failures.Count > 0 && failures.Peek() + Window <= now)
        {
            failures.Dequeue();
        }
    }

    private void Prune(DateTimeOffset now)
    {
        foreach (var (key, failures) in _failures.ToList())
        {
            Expire(failures, now);
            if (failures.Count == 0)
            {
                _failures.Remove(key);
            }
        }

        if (_failures.Count >= MaxAddresses)
        {
            _failures.Remove(_failures.MinBy(f => f.Value.Peek()).Key);
        }
    }
}
