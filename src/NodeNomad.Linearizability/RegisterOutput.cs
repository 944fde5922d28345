namespace NodeNomad.Linearizability;

/// <summary>An answer of <see cref="RegisterModel"/>.</summary>
/// <param name="Value">What a read returned (null: nil); unused otherwise.</param>
/// <param name="Succeeded">For a compare-and-set, whether it found the expected value and wrote; true otherwise.</param>
public sealed record RegisterOutput(long? Value, bool Succeeded)
{
    /// <summary>A write done, or a compare-and-set that found the expected value and wrote.</summary>
    public static readonly RegisterOutput Ok = new(null, true);

    /// <summary>A compare-and-set that found another value and did not write.</summary>
    public static readonly RegisterOutput CompareFailed = new(null, false);

    /// <summary>A read that returned <paramref name="value"/> (null: nil).</summary>
    public static RegisterOutput Read(long? value) => new(value, true);
}
