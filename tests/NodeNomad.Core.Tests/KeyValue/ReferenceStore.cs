using System.Text;
using NodeNomad.Core.KeyValue;

namespace NodeNomad.Core.Tests.KeyValue;

/// <summary>
/// The key-value semantics written as plainly as possible — a dictionary and linear scans — to check
/// <see cref="KvStateMachine"/> against. It shares no code with the state machine beyond the record types.
/// </summary>
internal sealed class ReferenceStore
{
    private readonly Dictionary<string, KvRecord> _records = new(StringComparer.Ordinal);

    public long AppliedIndex { get; private set; }

    public int Count => _records.Count;

    public long Bytes => _records.Values.Sum(record => (long)Encoding.UTF8.GetByteCount(record.Key) + SizeOf(record.Value));

    public long? EarliestExpiry => _records.Values.Min(record => record.ExpiresAt);

    public KvRecord? Get(string key, long now) =>
        _records.TryGetValue(key, out var record) && !(record.ExpiresAt <= now) ? record : null;

    /// <summary>The version held for <paramref name="key"/> whether or not it has expired; 0 when absent.</summary>
    public long HeldVersion(string key) => _records.TryGetValue(key, out var record) ? record.Version : 0;

    public List<KvRecord> Live(long now) =>
        [.. _records.Values.Where(record => Get(record.Key, now) is not null).OrderBy(record => record.Key, StringComparer.Ordinal)];

    public KvResult Apply(long index, KvCommand command)
    {
        AppliedIndex = index;
        switch (command)
        {
            case SetCommand set:
                return Write(index, set.Key, set.Value, set.ExpiresAt);

            case DeleteCommand delete when Get(delete.Key, delete.Timestamp) is not null:
                _records.Remove(delete.Key);
                return new KvResult(KvOutcome.Applied, index, null);

            case DeleteCommand:
                return new KvResult(KvOutcome.NotFound, 0, null);

            case CompareAndSetCommand cas:
                var current = Get(cas.Key, cas.Timestamp)?.Version ?? 0;
                return current == cas.ExpectedVersion
                    ? Write(index, cas.Key, cas.Value, cas.ExpiresAt)
                    : new KvResult(KvOutcome.VersionMismatch, current, null);

            case PurgeExpiredCommand purge:
                var expired = _records.Values.Where(record => record.ExpiresAt <= purge.Timestamp).Select(record => record.Key).ToList();
                expired.ForEach(key => _records.Remove(key));
                return new KvResult(KvOutcome.Applied, 0, null, expired.Count);

            default:
                throw new ArgumentException($"Unknown command {command}.", nameof(command));
        }
    }

    private static int SizeOf(KvValue value) => value.IsBinary ? value.Bytes.Length : Encoding.UTF8.GetByteCount(value.Text!);

    private KvResult Write(long index, string key, KvValue value, long? expiresAt)
    {
        _records[key] = new KvRecord(key, value, index, expiresAt, SizeOf(value));
        return new KvResult(KvOutcome.Applied, index, expiresAt);
    }
}
