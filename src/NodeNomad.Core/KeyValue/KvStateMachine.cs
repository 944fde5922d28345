namespace NodeNomad.Core.KeyValue;

/// <summary>
/// The key-value state machine of one shard: ordered keys, a version per key (the log index that last
/// wrote it), absolute expiry times, compare-and-set, and prefix scans with a cursor.
/// Applying is deterministic: it depends only on the state and the command, never on a local clock, so all
/// replicas applying the same log agree. Reads take the reader's clock to hide expired keys at once; the
/// keys themselves leave the state only through a logged <see cref="PurgeExpiredCommand"/>.
/// Not thread-safe: the host serializes <see cref="Apply"/> against reads.
/// </summary>
public sealed partial class KvStateMachine
{
    private readonly Dictionary<string, KvRecord> _records = new(StringComparer.Ordinal);
    private readonly SortedSet<string> _order = new(StringComparer.Ordinal);
    private readonly SortedSet<(long ExpiresAt, string Key)> _expiries = new(ExpiryComparer.Instance);

    /// <summary>The index of the last applied entry.</summary>
    public long AppliedIndex { get; private set; }

    /// <summary>Keys held, including expired ones not yet purged.</summary>
    public int Count => _records.Count;

    /// <summary>Bytes of keys and values held (keys and text values counted in UTF-8).</summary>
    public long Bytes { get; private set; }

    /// <summary>The earliest expiry among held keys, in Unix milliseconds, or null when none expires.</summary>
    public long? EarliestExpiry => _expiries.Count == 0 ? null : _expiries.Min.ExpiresAt;

    /// <summary>
    /// Applies the command logged at <paramref name="index"/>. Indexes must increase: an entry is applied
    /// once, in log order.
    /// </summary>
    public KvResult Apply(long index, KvCommand command)
    {
        ArgumentNullException.ThrowIfNull(command);
        if (index <= AppliedIndex)
        {
            throw new ArgumentOutOfRangeException(nameof(index), index, $"Index {index} was already applied (applied index {AppliedIndex}).");
        }

        var result = command switch
        {
            SetCommand set => Put(index, set.Key, set.Value, set.ExpiresAt),
            DeleteCommand delete => Delete(index, delete),
            CompareAndSetCommand cas => CompareAndSet(index, cas),
            PurgeExpiredCommand purge => Purge(purge.Timestamp),
            _ => throw new ArgumentException($"Unknown command type {command.GetType().Name}.", nameof(command)),
        };
        AppliedIndex = index;
        return result;
    }

    /// <summary>The live record of <paramref name="key"/> at <paramref name="now"/>, or null when absent or expired.</summary>
    public KvRecord? Get(string key, long now) =>
        _records.TryGetValue(key, out var record) && !record.IsExpiredAt(now) ? record : null;

    /// <summary>
    /// Up to <paramref name="limit"/> live keys that start with <paramref name="prefix"/> and sort after
    /// <paramref name="after"/> (exclusive), in ordinal order.
    /// </summary>
    public KvPage Scan(string prefix, string? after, int limit, long now)
    {
        ArgumentNullException.ThrowIfNull(prefix);
        ArgumentOutOfRangeException.ThrowIfLessThan(limit, 1);
        var items = new List<KvRecord>(Math.Min(limit, 256));
        if (_order.Count == 0)
        {
            return new KvPage(items, null);
        }

        var start = after is not null && StringComparer.Ordinal.Compare(after, prefix) >= 0 ? after : prefix;
        if (StringComparer.Ordinal.Compare(start, _order.Max) > 0)
        {
            return new KvPage(items, null);
        }

        foreach (var key in _order.GetViewBetween(start, _order.Max!))
        {
            if (!key.StartsWith(prefix, StringComparison.Ordinal))
            {
                break;
            }

            if (after is not null && StringComparer.Ordinal.Compare(key, after) <= 0)
            {
                continue;
            }

            var record = _records[key];
            if (record.IsExpiredAt(now))
            {
                continue;
            }

            if (items.Count == limit)
            {
                return new KvPage(items, items[^1].Key);
            }

            items.Add(record);
        }

        return new KvPage(items, null);
    }

    private KvResult Put(long index, string key, KvValue value, long? expiresAt)
    {
        var record = new KvRecord(key, value, index, expiresAt, value.ByteCount);
        if (_records.TryGetValue(key, out var previous))
        {
            Forget(previous);
        }
        else
        {
            _order.Add(key);
        }

        _records[key] = record;
        Bytes += KeyRules.Utf8Length(key) + record.ValueBytes;
        if (expiresAt is { } expiry)
        {
            _expiries.Add((expiry, key));
        }

        return new KvResult(KvOutcome.Applied, index, expiresAt);
    }

    private KvResult Delete(long index, DeleteCommand delete)
    {
        if (Get(delete.Key, delete.Timestamp) is null)
        {
            return new KvResult(KvOutcome.NotFound, 0, null);
        }

        Remove(delete.Key);
        return new KvResult(KvOutcome.Applied, index, null);
    }

    private KvResult CompareAndSet(long index, CompareAndSetCommand cas)
    {
        // An expired key counts as absent: its version is 0, exactly as a reader at this instant would see.
        var current = Get(cas.Key, cas.Timestamp)?.Version ?? 0;
        return current == cas.ExpectedVersion
            ? Put(index, cas.Key, cas.Value, cas.ExpiresAt)
            : new KvResult(KvOutcome.VersionMismatch, current, null);
    }

    private KvResult Purge(long now)
    {
        var purged = 0;
        while (_expiries.Count > 0 && _expiries.Min.ExpiresAt <= now)
        {
            Remove(_expiries.Min.Key);
            purged++;
        }

        return new KvResult(KvOutcome.Applied, 0, null, purged);
    }

    private void Remove(string key)
    {
        if (_records.Remove(key, out var record))
        {
            Forget(record);
            _order.Remove(key);
        }
    }

    private void Forget(KvRecord record)
    {
        Bytes -= KeyRules.Utf8Length(record.Key) + record.ValueBytes;
        if (record.ExpiresAt is { } expiry)
        {
            _expiries.Remove((expiry, record.Key));
        }
    }

    private sealed class ExpiryComparer : IComparer<(long ExpiresAt, string Key)>
    {
        public static readonly ExpiryComparer Instance = new();

        public int Compare((long ExpiresAt, string Key) x, (long ExpiresAt, string Key) y)
        {
            var byTime = x.ExpiresAt.CompareTo(y.ExpiresAt);
            return byTime != 0 ? byTime : StringComparer.Ordinal.Compare(x.Key, y.Key);
        }
    }
}
