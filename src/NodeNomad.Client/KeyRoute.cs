using NodeNomad.Contracts;

namespace NodeNomad.Client;

/// <summary>Where a key's request goes, and the shard (with the epoch) it was routed by; no shard when the map had none for the key.</summary>
internal sealed record KeyRoute(Uri Target, ShardInfo? Shard);
