namespace NodeNomad.Core.KeyValue;

/// <summary>How applying a command turned out.</summary>
public enum KvOutcome
{
    /// <summary>The command took effect.</summary>
    Applied,

    /// <summary>The key did not exist (delete of an absent key).</summary>
    NotFound,

    /// <summary>Compare-and-set found another version.</summary>
    VersionMismatch,
}

/// <summary>The result of applying one command at one log index.</summary>
/// <param name="Outcome">What happened.</param>
/// <param name="Version">The key's version after the command (the entry's index when applied), or its current version on a mismatch (0 when absent).</param>
/// <param name="ExpiresAt">For an applied write, the key's expiry in Unix milliseconds (null for never); null for every other outcome.</param>
/// <param name="Purged">For a purge, how many keys it removed.</param>
public readonly record struct KvResult(KvOutcome Outcome, long Version, long? ExpiresAt, int Purged = 0);
