namespace NodeNomad.Core.KeyValue;

/// <summary>
/// A command of the key-value state machine, as written to the log. Every command carries the proposer's
/// clock reading (<see cref="Timestamp"/>, Unix milliseconds) so that expiry is decided by the log, not by
/// each replica's own clock: every replica applying the same entries reaches the same state.
/// </summary>
public abstract record KvCommand(long Timestamp);

/// <summary>Writes <paramref name="Value"/> under <paramref name="Key"/>.</summary>
/// <param name="Key">The key.</param>
/// <param name="Value">The value, text or bytes.</param>
/// <param name="ExpiresAt">Absolute expiry in Unix milliseconds, or null for never.</param>
/// <param name="Timestamp">The proposer's clock when the command was logged.</param>
public sealed record SetCommand(string Key, KvValue Value, long? ExpiresAt, long Timestamp) : KvCommand(Timestamp);

/// <summary>Removes <paramref name="Key"/>.</summary>
/// <param name="Key">The key.</param>
/// <param name="Timestamp">The proposer's clock when the command was logged.</param>
public sealed record DeleteCommand(string Key, long Timestamp) : KvCommand(Timestamp);

/// <summary>Writes only when the key's version is <paramref name="ExpectedVersion"/> (0: the key must be absent).</summary>
/// <param name="Key">The key.</param>
/// <param name="ExpectedVersion">The version the caller read.</param>
/// <param name="Value">The new value, text or bytes.</param>
/// <param name="ExpiresAt">Absolute expiry in Unix milliseconds, or null for never.</param>
/// <param name="Timestamp">The proposer's clock when the command was logged.</param>
public sealed record CompareAndSetCommand(string Key, long ExpectedVersion, KvValue Value, long? ExpiresAt, long Timestamp) : KvCommand(Timestamp);

/// <summary>Removes every key whose expiry is at or before <see cref="KvCommand.Timestamp"/>.</summary>
/// <param name="Timestamp">The proposer's clock when the command was logged.</param>
public sealed record PurgeExpiredCommand(long Timestamp) : KvCommand(Timestamp);
