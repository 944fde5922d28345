namespace NodeNomad.Linearizability;

/// <summary>An answer of <see cref="NodeNomadKvModel"/>.</summary>
/// <param name="Value">What a get returned (null: absent); unused otherwise.</param>
/// <param name="Succeeded">For a compare-and-set, whether it found the expected value and wrote; true otherwise.</param>
public sealed record NodeNomadKvOutput(string? Value, bool Succeeded)
{
    /// <summary>A put or delete done, or a compare-and-set that found the expected value and wrote.</summary>
    public static readonly NodeNomadKvOutput Ok = new(null, true);

    /// <summary>A compare-and-set that found another value (HTTP 409) and did not write.</summary>
    public static readonly NodeNomadKvOutput CompareFailed = new(null, false);

    /// <summary>A get that returned <paramref name="value"/> (null: absent, HTTP 404).</summary>
    public static NodeNomadKvOutput Read(string? value) => new(value, true);
}
