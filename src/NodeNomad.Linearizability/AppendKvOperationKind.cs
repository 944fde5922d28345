namespace NodeNomad.Linearizability;

/// <summary>The operations of <see cref="AppendKvModel"/>.</summary>
public enum AppendKvOperationKind
{
    /// <summary>Reads a key's value ("" when never written).</summary>
    Get,

    /// <summary>Sets a key's value.</summary>
    Put,

    /// <summary>Appends to a key's value.</summary>
    Append,
}
