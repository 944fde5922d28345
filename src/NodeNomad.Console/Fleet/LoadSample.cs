namespace NodeNomad.Console.Fleet;

/// <summary>The cluster's load at one moment: sums over the nodes that reported, and the worst p99.</summary>
/// <param name="At">When it was taken.</param>
/// <param name="ReadsPerSecond">Reads per second over all nodes.</param>
/// <param name="WritesPerSecond">Writes per second over all nodes.</param>
/// <param name="WriteLatencyP99Milliseconds">The highest write p99 of any node.</param>
public sealed record LoadSample(DateTimeOffset At, double ReadsPerSecond, double WritesPerSecond, double WriteLatencyP99Milliseconds);
