namespace NodeNomad.Linearizability;

/// <summary>An operation of <see cref="NodeNomadKvModel"/>.</summary>
/// <param name="Kind">Get, put, delete or compare-and-set.</param>
/// <param name="Key">The key it is on.</param>
/// <param name="Value">What a put or a compare-and-set writes; null otherwise.</param>
/// <param name="Expected">What a compare-and-set expects to find (null: the key is absent); null otherwise.</param>
public sealed record NodeNomadKvInput(NodeNomadKvOperationKind Kind, string Key, string? Value, string? Expected)
{
    /// <summary>Reads <paramref name="key"/>.</summary>
    public static NodeNomadKvInput Get(string key) => new(NodeNomadKvOperationKind.Get, key, null, null);

    /// <summary>Sets <paramref name="key"/> to <paramref name="value"/>.</summary>
    public static NodeNomadKvInput Put(string key, string value) => new(NodeNomadKvOperationKind.Put, key, value, null);

    /// <summary>Removes <paramref name="key"/>.</summary>
    public static NodeNomadKvInput Delete(string key) => new(NodeNomadKvOperationKind.Delete, key, null, null);

    /// <summary>Sets <paramref name="key"/> to <paramref name="value"/> if it holds <paramref name="expected"/> (null: if it is absent).</summary>
    public static NodeNomadKvInput CompareAndSet(string key, string? expected, string value) =>
        new(NodeNomadKvOperationKind.CompareAndSet, key, value, expected);
}
