namespace NodeNomad.Core.Cluster;

/// <summary>One step of a placement plan: shard <paramref name="ShardId"/>'s replica leaves one node for another.</summary>
/// <param name="ShardId">The shard whose replica moves.</param>
/// <param name="FromNode">The node that holds the replica now and gives it up.</param>
/// <param name="ToNode">The node that receives it; it holds no replica of the shard before the move.</param>
public sealed record ReplicaMove(int ShardId, string FromNode, string ToNode);
