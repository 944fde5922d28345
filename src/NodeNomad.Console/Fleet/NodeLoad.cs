namespace NodeNomad.Console.Fleet;

/// <summary>One node's load in a <see cref="LoadSample"/>.</summary>
/// <param name="ReadsPerSecond">Reads per second it served.</param>
/// <param name="WritesPerSecond">Writes per second it committed as leader.</param>
/// <param name="WriteLatencyP99Milliseconds">Its write p99.</param>
public sealed record NodeLoad(double ReadsPerSecond, double WritesPerSecond, double WriteLatencyP99Milliseconds);
