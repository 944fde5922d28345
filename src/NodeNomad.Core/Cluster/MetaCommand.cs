using System.Text.Json.Serialization;

namespace NodeNomad.Core.Cluster;

/// <summary>A change to the cluster map, as the meta group's log carries it (JSON).</summary>
[JsonPolymorphic(TypeDiscriminatorPropertyName = "kind")]
[JsonDerivedType(typeof(BootstrapCluster), "bootstrap")]
[JsonDerivedType(typeof(RegisterNode), "register-node")]
[JsonDerivedType(typeof(SetShardReplicas), "set-shard-replicas")]
public abstract record MetaCommand;

/// <summary>Creates the cluster: its identity, first nodes and the shards' first placement. Ignored once the cluster exists.</summary>
/// <param name="ClusterId">The new cluster's identity.</param>
/// <param name="ReplicationFactor">Replicas per shard.</param>
/// <param name="Nodes">The first nodes.</param>
/// <param name="Shards">Every shard with its range and replicas, epoch 1.</param>
public sealed record BootstrapCluster(string ClusterId, int ReplicationFactor, IReadOnlyList<NodeRecord> Nodes, IReadOnlyList<ShardRecord> Shards) : MetaCommand;

/// <summary>Adds a node, or updates its addresses and weight (a restarted node on a new address).</summary>
/// <param name="Node">The node as it describes itself.</param>
public sealed record RegisterNode(NodeRecord Node) : MetaCommand;

/// <summary>Sets a shard's replica set, only if its epoch is still <paramref name="ExpectedEpoch"/>; bumps the epoch.</summary>
/// <param name="ShardId">The shard.</param>
/// <param name="ExpectedEpoch">The epoch the change was planned against.</param>
/// <param name="Replicas">The new voting replicas.</param>
/// <param name="Learners">The new learners.</param>
public sealed record SetShardReplicas(int ShardId, long ExpectedEpoch, IReadOnlyList<string> Replicas, IReadOnlyList<string> Learners) : MetaCommand;
