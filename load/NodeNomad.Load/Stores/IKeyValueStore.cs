namespace NodeNomad.Load.Stores;

/// <summary>
/// A replicated key-value store a scenario loads: the operations of the scenarios, each answered with an
/// <see cref="OperationResult"/> rather than an exception, so that an expected failure (a timeout, a 503) is counted
/// by kind and the load goes on.
/// </summary>
internal interface IKeyValueStore
{
    /// <summary>The name printed in the reports: <c>NodeNomad</c> or <c>etcd</c>.</summary>
    string Name { get; }

    /// <summary>Whether the store has <paramref name="kind"/>; an operation it lacks is skipped and counted as not supported.</summary>
    bool Supports(OperationKind kind);

    /// <summary>What the store does differently from NodeNomad for the same operation, said once in the report.</summary>
    IReadOnlyList<string> Notes { get; }

    Task<OperationResult> ReadAsync(string key, bool linearizable, CancellationToken cancellationToken);

    /// <summary>Writes <paramref name="value"/>; with <paramref name="ttlSeconds"/>, the key expires that long after.</summary>
    Task<OperationResult> WriteAsync(string key, string value, int? ttlSeconds, CancellationToken cancellationToken);

    /// <summary>Writes only if the key is at <paramref name="expectedVersion"/> (0: absent); a mismatch is <see cref="Outcome.Conflict"/>.</summary>
    Task<OperationResult> CompareAndSetAsync(string key, long expectedVersion, string value, CancellationToken cancellationToken);

    Task<OperationResult> DeleteAsync(string key, CancellationToken cancellationToken);

    /// <summary>Up to <paramref name="limit"/> keys starting with <paramref name="prefix"/>, in key order.</summary>
    Task<OperationResult> ScanAsync(string prefix, int limit, CancellationToken cancellationToken);
}
