using NodeNomad.Raft;

namespace NodeNomad.Node.Runtime;

/// <summary>What a <see cref="NodeCore"/> is built with; everything it would otherwise take from a clock or a random source.</summary>
public sealed record NodeCoreSettings
{
    /// <summary>This node's id.</summary>
    public required string SelfId { get; init; }

    /// <summary>Ticks without a leader's word before a follower campaigns (randomised up to twice that).</summary>
    public int ElectionTick { get; init; } = 10;

    /// <summary>Ticks between a leader's heartbeats.</summary>
    public int HeartbeatTick { get; init; } = 1;

    /// <summary>Entries applied between snapshots of a group.</summary>
    public int SnapshotEntries { get; init; } = 10_000;

    /// <summary>Seeds every group's election randomness: the same seed and inputs give the same run.</summary>
    public int Seed { get; init; }

    /// <summary>A number for this life of the node, carried in read contexts (see <see cref="ReplicaContext.Incarnation"/>).</summary>
    public long Incarnation { get; init; }

    /// <summary>
    /// How leaders confirm reads. The node runs <see cref="ReadOnlyOption.Safe"/> (a heartbeat round per batch of
    /// reads); <see cref="ReadOnlyOption.LeaseBased"/> is there for the simulator, which runs it under the clock
    /// assumptions it needs (see the option's documentation) — the node never turns it on, since a paused process
    /// breaks them.
    /// </summary>
    public ReadOnlyOption Reads { get; init; } = ReadOnlyOption.Safe;

    /// <summary>How long a migration may stay in one step before its shard's leader undoes it (before the swap) or finishes it without the source (cleaning up).</summary>
    public TimeSpan MigrationStepTimeout { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>Ticks before the migration driver repeats a step it took that has not shown yet (a lost proposal, a lost answer).</summary>
    public int MigrationRetryTicks { get; init; } = 20;

    /// <summary>How many entries behind the commit index a learner may be and still be promoted.</summary>
    public int MigrationCatchUpLag { get; init; } = 64;

    /// <summary>Whether the meta leader's placement driver runs (drain, join, repair); off only in simulations of manual moves alone.</summary>
    public bool PlacementEnabled { get; init; } = true;

    /// <summary>How often the placement driver compares the map with what it should be.</summary>
    public TimeSpan PlacementInterval { get; init; } = TimeSpan.FromSeconds(3);

    /// <summary>How long the meta leader must not hear from a node before its replicas are re-created elsewhere (and a meta voter on it replaced).</summary>
    public TimeSpan DownAfter { get; init; } = TimeSpan.FromMinutes(5);

    /// <summary>How long a node may be silent and still count as up for placement (a target, a live voter).</summary>
    public TimeSpan UpWithin { get; init; } = TimeSpan.FromSeconds(3);

    /// <summary>How long after an operator's (or the load rebalancer's) move of a shard ended the placement driver leaves the shard alone when balancing.</summary>
    public TimeSpan PlacementCooldown { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>The most migrations in flight at once that the placement driver starts moves beside.</summary>
    public int MaxConcurrentMoves { get; init; } = 2;

    /// <summary>A rule deliberately broken; only the simulator's tests set one.</summary>
    public CoreFlaw Flaw { get; init; } = CoreFlaw.None;

    /// <summary>
    /// How far (in entries of every group) a group's oldest entry not covered by a snapshot may lie behind the log's
    /// head before the group is snapshotted anyway, so that quiet groups let old log segments go.
    /// </summary>
    public long PinLimit => 2L * SnapshotEntries;
}
