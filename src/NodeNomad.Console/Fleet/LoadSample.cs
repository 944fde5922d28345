namespace NodeNomad.Console.Fleet;

/// <summary>The cluster's load at one moment: sums over the nodes that reported, the worst p99, and each node's own.</summary>
/// <param name="At">When it was taken.</param>
/// <param name="ReadsPerSecond">Reads per second over all nodes.</param>
/// <param name="WritesPerSecond">Writes per second over all nodes.</param>
/// <param name="WriteLatencyP99Milliseconds">The highest write p99 of any node.</param>
public sealed record LoadSample(DateTimeOffset At, double ReadsPerSecond, double WritesPerSecond, double WriteLatencyP99Milliseconds)
{
    /// <summary>Each reporting node's load at that moment, by node id.</summary>
    public IReadOnlyDictionary<string, NodeLoad> Nodes { get; init; } = new Dictionary<string, NodeLoad>();
}
