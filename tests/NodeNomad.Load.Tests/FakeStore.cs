using NodeNomad.Load.Stores;

namespace NodeNomad.Load.Tests;

/// <summary>
/// An in-process key-value store with a defect to be caught: reads answered from a copy one write behind (stale
/// reads), or the writes of one key acknowledged and never kept (a lost write). Every answer takes a millisecond so
/// that senders overlap.
/// </summary>
internal sealed class FakeStore(FakeStore.Defect defect, string lostKeySuffix = "k000000") : IKeyValueStore, IStoreDeployment
{
    private readonly Dictionary<string, List<string>> values = [];

    public enum Defect
    {
        StaleReads,
        LosesAWrite,
    }

    public string Name => "fake";

    public IReadOnlyList<string> Notes => [];

    public IKeyValueStore Store => this;

    public string Description => $"an in-process fake that {(defect == Defect.StaleReads ? "answers stale reads" : "loses a write")}";

    public IReadOnlyList<(string Id, Uri Url)> Members => [];

    /// <summary>How many keys were written at least once.</summary>
    public int KeysWritten
    {
        get
        {
            lock (values)
            {
                return values.Count;
            }
        }
    }

    public bool Supports(OperationKind kind) => kind is OperationKind.Read or OperationKind.Write;

    public async Task<OperationResult> ReadAsync(string key, bool linearizable, CancellationToken cancellationToken)
    {
        await Task.Delay(1, cancellationToken);
        lock (values)
        {
            if (!values.TryGetValue(key, out var written) || written.Count == 0)
            {
                return new OperationResult(Outcome.NotFound);
            }

            var seen = defect == Defect.StaleReads ? Math.Max(0, written.Count - 2) : written.Count - 1;
            return OperationResult.Ok(seen + 1) with { Value = written[seen] };
        }
    }

    public async Task<OperationResult> WriteAsync(string key, string value, int? ttlSeconds, CancellationToken cancellationToken)
    {
        await Task.Delay(1, cancellationToken);
        lock (values)
        {
            if (!values.TryGetValue(key, out var written))
            {
                values[key] = written = [];
            }

            if (defect == Defect.LosesAWrite && key.EndsWith(lostKeySuffix, StringComparison.Ordinal))
            {
                return OperationResult.Ok(written.Count + 1);
            }

            written.Add(value);
            return OperationResult.Ok(written.Count);
        }
    }

    public Task<OperationResult> CompareAndSetAsync(string key, long expectedVersion, string value, CancellationToken cancellationToken) =>
        Task.FromResult(OperationResult.NotSupported);

    public Task<OperationResult> DeleteAsync(string key, CancellationToken cancellationToken) => Task.FromResult(OperationResult.NotSupported);

    public Task<OperationResult> ScanAsync(string prefix, int limit, CancellationToken cancellationToken) => Task.FromResult(OperationResult.NotSupported);

    public Task<IReadOnlyList<string>> FindSilentMembersAsync(CancellationToken cancellationToken) => Task.FromResult<IReadOnlyList<string>>([]);

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;
}
