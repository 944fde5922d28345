namespace NodeNomad.Linearizability;

/// <summary>The operations of <see cref="RegisterModel"/>.</summary>
public enum RegisterOperationKind
{
    /// <summary>Reads the value (nil before any write).</summary>
    Read,

    /// <summary>Sets the value.</summary>
    Write,

    /// <summary>Sets the value if it currently equals the expected one.</summary>
    CompareAndSet,
}
