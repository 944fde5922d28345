namespace NodeNomad.Linearizability;

/// <summary>An operation of <see cref="AppendKvModel"/>: <see cref="Value"/> is what a put sets or an append adds ("" for a get).</summary>
public sealed record AppendKvInput(AppendKvOperationKind Kind, string Key, string Value)
{
    /// <summary>Reads <paramref name="key"/>.</summary>
    public static AppendKvInput Get(string key) => new(AppendKvOperationKind.Get, key, "");

    /// <summary>Sets <paramref name="key"/> to <paramref name="value"/>.</summary>
    public static AppendKvInput Put(string key, string value) => new(AppendKvOperationKind.Put, key, value);

    /// <summary>Appends <paramref name="value"/> to <paramref name="key"/>.</summary>
    public static AppendKvInput Append(string key, string value) => new(AppendKvOperationKind.Append, key, value);
}
