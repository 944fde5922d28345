namespace NodeNomad.Storage;

/// <summary>Sizes and timings of a node's log.</summary>
/// <param name="Bytes">Bytes the log and snapshots occupy.</param>
/// <param name="Segments">Number of log segments (or streams) currently kept.</param>
/// <param name="Batches">Batches made durable since the log was opened.</param>
/// <param name="LastSyncMilliseconds">How long the last batch took to become durable.</param>
public sealed record LogStatistics(long Bytes, int Segments, long Batches, double LastSyncMilliseconds);
