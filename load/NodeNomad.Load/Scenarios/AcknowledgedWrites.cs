using System.Collections.Concurrent;

namespace NodeNomad.Load.Scenarios;

/// <summary>
/// The writes the store acknowledged, per key: the highest version acknowledged by a write or compare-and-set.
/// Once a write of version v is acknowledged, a linearizable read of that key must answer v or later, unless the
/// key was deleted or given a TTL (those keys are left out). Also the version last seen of each key, which the
/// next compare-and-set expects.
/// </summary>
internal sealed class AcknowledgedWrites
{
    private readonly ConcurrentDictionary<string, long> acknowledged = new();
    private readonly ConcurrentDictionary<string, bool> leftOut = new();
    private readonly ConcurrentDictionary<string, long> lastSeen = new();

    /// <summary>A write or compare-and-set of <paramref name="key"/> at <paramref name="version"/> was acknowledged.</summary>
    public void Acknowledged(string key, long version, bool expires)
    {
        if (expires)
        {
            leftOut[key] = true;
        }
        else
        {
            acknowledged.AddOrUpdate(key, version, (_, known) => Math.Max(known, version));
        }

        Seen(key, version);
    }

    /// <summary>A delete of <paramref name="key"/> was sent: whether or not it was answered, it may have removed the key.</summary>
    public void DeleteSent(string key)
    {
        leftOut[key] = true;
        lastSeen[key] = 0;
    }

    public void Seen(string key, long version) => lastSeen[key] = version;

    /// <summary>The version a compare-and-set of <paramref name="key"/> expects: the last seen, 0 (absent) when none.</summary>
    public long Expected(string key) => lastSeen.GetValueOrDefault(key);

    /// <summary>Up to <paramref name="limit"/> keys to read back, with the version each must have reached.</summary>
    public IReadOnlyList<(string Key, long Version)> ToCheck(int limit) =>
        [.. acknowledged.Where(k => !leftOut.ContainsKey(k.Key)).OrderBy(k => k.Key, StringComparer.Ordinal).Take(limit).Select(k => (k.Key, k.Value))];
}
