namespace NodeNomad.Console.Fleet;

/// <summary>A shard's load and size at one poll of the shard map.</summary>
/// <param name="At">When it was polled.</param>
/// <param name="ReadsPerSecond">Reads per second.</param>
/// <param name="WritesPerSecond">Writes per second.</param>
/// <param name="Keys">Live keys.</param>
/// <param name="Bytes">Bytes of keys and values.</param>
public sealed record ShardLoadSample(DateTimeOffset At, double ReadsPerSecond, double WritesPerSecond, long Keys, long Bytes);
