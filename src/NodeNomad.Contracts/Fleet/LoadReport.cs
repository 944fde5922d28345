namespace NodeNomad.Contracts.Fleet;

/// <summary>A node's recent load, as part of a <see cref="NodeStatusReport"/>.</summary>
/// <param name="ReadsPerSecond">Reads served per second, recently.</param>
/// <param name="WritesPerSecond">Writes committed per second, recently.</param>
/// <param name="WriteLatencyP99Milliseconds">99th percentile of recent write latencies.</param>
public sealed record LoadReport(double ReadsPerSecond, double WritesPerSecond, double WriteLatencyP99Milliseconds);
