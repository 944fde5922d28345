namespace NodeNomad.Contracts;

/// <summary>The states a migration moves through, as the API reports them and the meta group records them.</summary>
public static class MigrationStates
{
    /// <summary>Accepted, not started.</summary>
    public const string Pending = "pending";

    /// <summary>The target is being added to the shard's group as a learner.</summary>
    public const string AddingLearner = "adding-learner";

    /// <summary>The shard's leader is sending the learner a snapshot.</summary>
    public const string SendingSnapshot = "sending-snapshot";

    /// <summary>The learner is taking the log's tail.</summary>
    public const string CatchingUp = "catching-up";

    /// <summary>The replica leaving leads the shard: leadership is handed to another voter first.</summary>
    public const string TransferringLeadership = "transferring-leadership";

    /// <summary>The learner is promoted to a voter and the leaving replica removed, one change at a time.</summary>
    public const string Swapping = "swapping";

    /// <summary>The new replica set is recorded; the leaving node deletes its replica.</summary>
    public const string CleaningUp = "cleaning-up";

    /// <summary>Finished: the target holds a voting replica and the source none.</summary>
    public const string Done = "done";

    /// <summary>Cancelled before the swap: the learner was removed.</summary>
    public const string Cancelled = "cancelled";

    /// <summary>Could not go on and could not be undone cleanly (the error says why).</summary>
    public const string Failed = "failed";

    /// <summary>Undone after a failure (the target died, or a step kept failing): the learner was removed.</summary>
    public const string RolledBack = "rolled-back";

    /// <summary>Whether a migration in <paramref name="state"/> has ended.</summary>
    public static bool IsFinal(string state) => state is Done or Cancelled or Failed or RolledBack;

    /// <summary>Whether a migration in <paramref name="state"/> may still be cancelled (until the swap).</summary>
    public static bool IsCancellable(string state) => state is Pending or AddingLearner or SendingSnapshot or CatchingUp or TransferringLeadership;
}
