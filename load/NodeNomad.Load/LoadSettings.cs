namespace NodeNomad.Load;

/// <summary>What every benchmark run shares: how long, how many clients, how big the values, at most how many requests.</summary>
/// <param name="Seconds">Measured seconds per client count.</param>
/// <param name="Clients">Client counts, run one after another.</param>
/// <param name="ValueBytes">Size of every value written.</param>
/// <param name="MaxRequests">A run ends after this many requests, even if its time is not up.</param>
internal sealed record LoadSettings(int Seconds, IReadOnlyList<int> Clients, int ValueBytes, long MaxRequests)
{
    public const int MaxClients = 4096;
    public const int MaxValueBytes = 1024 * 1024;

    public static LoadSettings Default { get; } = new(Seconds: 10, Clients: [1, 64], ValueBytes: 100, MaxRequests: 1_000_000);

    public TimeSpan Duration => TimeSpan.FromSeconds(Seconds);

    /// <summary>The value every write writes.</summary>
    public string MakeValue() => new('x', ValueBytes);
}
