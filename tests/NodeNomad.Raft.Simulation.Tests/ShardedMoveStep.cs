namespace NodeNomad.Raft.Simulation.Tests;

/// <summary>Where a replica move stands; each step is done through the shard's Raft log or the meta group's.</summary>
internal enum ShardedMoveStep
{
    /// <summary>The new replica exists on the target node, empty; it joins the shard's group as a learner.</summary>
    AddLearner,

    /// <summary>The learner catches up (log entries, or a snapshot) until it matches the leader's commit.</summary>
    CatchUp,

    /// <summary>The learner becomes a voter.</summary>
    Promote,

    /// <summary>When the leaving replica leads, it hands leadership to another voter (or, after a few tries, removes itself).</summary>
    HandOff,

    /// <summary>The leaving replica is removed from the group; its node deletes it once the removal is committed.</summary>
    RemoveSource,

    /// <summary>The meta group records the new replica set and bumps the shard's epoch.</summary>
    RecordInMeta,
}
