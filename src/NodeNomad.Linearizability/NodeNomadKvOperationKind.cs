namespace NodeNomad.Linearizability;

/// <summary>The operations of <see cref="NodeNomadKvModel"/>.</summary>
public enum NodeNomadKvOperationKind
{
    /// <summary>Reads a key: its value, or absent.</summary>
    Get,

    /// <summary>Sets a key's value.</summary>
    Put,

    /// <summary>Removes a key.</summary>
    Delete,

    /// <summary>Sets a key's value if it currently holds the expected value (or is absent, if that is what is expected).</summary>
    CompareAndSet,
}
