namespace NodeNomad.Contracts;

/// <summary>
/// The shard that served a key's answer and the epoch of its replica set then, as the node's
/// <see cref="RoutingHeaders.Shard"/> and <see cref="RoutingHeaders.ShardEpoch"/> headers say. Not part of the JSON body:
/// the client fills it in from the headers.
/// </summary>
/// <param name="Shard">The shard's id.</param>
/// <param name="Epoch">The shard's epoch.</param>
public sealed record ServedBy(int Shard, long Epoch);
