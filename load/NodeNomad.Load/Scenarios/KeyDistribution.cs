namespace NodeNomad.Load.Scenarios;

/// <summary>How a scenario picks the key of each operation among its key space.</summary>
internal enum KeyDistribution
{
    Uniform,

    /// <summary>A few hot keys take most operations (<see cref="ZipfianGenerator"/>, θ = 0.99).</summary>
    Zipfian,

    /// <summary>Every operation a key no operation of the run used before, numbered on from the preloaded keys (a new key per write).</summary>
    Fresh,
}
