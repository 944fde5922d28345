namespace NodeNomad.Core.Cluster;

/// <summary>A replica move the placement policy asks for: a migration with its reason and why, in words.</summary>
/// <param name="ShardId">The shard whose replica moves.</param>
/// <param name="Source">The node giving the replica up (for a repair, the node that is down).</param>
/// <param name="Target">The node receiving it.</param>
/// <param name="Reason">drain, join or repair.</param>
/// <param name="Detail">What the policy saw ("node-3 down for 31 s; re-creating its replica of shard-2 on node-5").</param>
public sealed record PlacementDecision(int ShardId, string Source, string Target, string Reason, string Detail);
