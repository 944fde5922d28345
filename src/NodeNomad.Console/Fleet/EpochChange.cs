namespace NodeNomad.Console.Fleet;

/// <summary>A shard's replica set as the console first saw it at an epoch.</summary>
/// <param name="Epoch">The shard's epoch.</param>
/// <param name="Replicas">The nodes holding its replicas then (learners included).</param>
/// <param name="SeenAt">When the console first saw that epoch.</param>
public sealed record EpochChange(long Epoch, IReadOnlyList<string> Replicas, DateTimeOffset SeenAt);
