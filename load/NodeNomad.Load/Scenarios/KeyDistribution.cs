namespace NodeNomad.Load.Scenarios;

/// <summary>How a scenario picks the key of each operation among its key space.</summary>
internal enum KeyDistribution
{
    Uniform,

    /// <summary>A few hot keys take most operations (<see cref="ZipfianGenerator"/>, θ = 0.99).</summary>
    Zipfian,
}
