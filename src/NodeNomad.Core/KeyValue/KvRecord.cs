namespace NodeNomad.Core.KeyValue;

/// <summary>A key's current value as the state machine holds it.</summary>
/// <param name="Key">The key.</param>
/// <param name="Value">The value, text or bytes.</param>
/// <param name="Version">The log index of the write that produced it.</param>
/// <param name="ExpiresAt">Absolute expiry in Unix milliseconds, or null for never.</param>
/// <param name="ValueBytes">The value's size in bytes (UTF-8 for text).</param>
public sealed record KvRecord(string Key, KvValue Value, long Version, long? ExpiresAt, int ValueBytes)
{
    /// <summary>Whether the record is expired at <paramref name="now"/> (Unix milliseconds).</summary>
    public bool IsExpiredAt(long now) => ExpiresAt is { } expiry && expiry <= now;
}
