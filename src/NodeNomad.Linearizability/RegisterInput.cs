namespace NodeNomad.Linearizability;

/// <summary>An operation of <see cref="RegisterModel"/>.</summary>
/// <param name="Kind">Read, write or compare-and-set.</param>
/// <param name="Value">What a write or a compare-and-set sets; unused by a read.</param>
/// <param name="Expected">What a compare-and-set expects (null: nil, never written); unused otherwise.</param>
public sealed record RegisterInput(RegisterOperationKind Kind, long Value, long? Expected)
{
    /// <summary>Reads the register.</summary>
    public static RegisterInput Read() => new(RegisterOperationKind.Read, 0, null);

    /// <summary>Writes <paramref name="value"/>.</summary>
    public static RegisterInput Write(long value) => new(RegisterOperationKind.Write, value, null);

    /// <summary>Writes <paramref name="value"/> if the register holds <paramref name="expected"/> (null: nil).</summary>
    public static RegisterInput CompareAndSet(long? expected, long value) => new(RegisterOperationKind.CompareAndSet, value, expected);
}
