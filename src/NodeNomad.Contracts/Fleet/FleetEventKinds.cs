namespace NodeNomad.Contracts.Fleet;

/// <summary>The values of <see cref="FleetEvent.Kind"/>.</summary>
public static class FleetEventKinds
{
    /// <summary>A node became the leader of a shard's group.</summary>
    public const string LeaderChanged = "leader-changed";

    /// <summary>A node became the leader of the meta group, which holds the cluster map.</summary>
    public const string MetaLeaderChanged = "meta-leader-changed";

    /// <summary>A node's process started (a new member, or a member restarted).</summary>
    public const string NodeStarted = "node-started";

    /// <summary>A node appeared in the cluster's membership that it did not list before.</summary>
    public const string NodeJoined = "node-joined";

    /// <summary>A node that was unreachable answers, or reports, again.</summary>
    public const string NodeBack = "node-back";

    /// <summary>A node stopped answering its peers, or went silent to the console.</summary>
    public const string NodeUnreachable = "node-unreachable";

    /// <summary>A migration recorded a step: it entered a state, or was asked to cancel (told by the console, from the cluster's migrations).</summary>
    public const string MigrationStep = "migration-step";

    /// <summary>The rebalancer, on the meta leader, decided to move a leadership or a replica, or explained why it moved nothing.</summary>
    public const string RebalancerDecision = "rebalancer-decision";
}
