namespace NodeNomad.Core.Cluster;

/// <summary>The bounds the placement policy decides within (milliseconds of silence and of time).</summary>
/// <param name="UpWithin">Silence up to which a node counts as up: a target, a live voter.</param>
/// <param name="DownAfter">Silence from which a node's replicas are re-created elsewhere.</param>
/// <param name="MaxConcurrentMoves">The most migrations in flight at once, the ones decided included.</param>
/// <param name="Cooldown">How long after a shard's last migration ended balancing leaves it alone.</param>
public sealed record PlacementLimits(long UpWithin, long DownAfter, int MaxConcurrentMoves, long Cooldown);
