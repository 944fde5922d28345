namespace NodeNomad.Contracts;

/// <summary>
/// The roles a node's replica of a Raft group is reported in (<see cref="ReplicaInfo.Role"/>,
/// <see cref="GroupStatus.Role"/>, <see cref="NodeInfo.MetaRole"/>), as they travel on the wire.
/// </summary>
public static class ReplicaRoles
{
    /// <summary>Leads the group.</summary>
    public const string Leader = "leader";

    /// <summary>A voter that follows the leader.</summary>
    public const string Follower = "follower";

    /// <summary>A voter standing for election.</summary>
    public const string Candidate = "candidate";

    /// <summary>A voter asking whether it could win an election before it stands (pre-vote).</summary>
    public const string PreCandidate = "pre-candidate";

    /// <summary>Receives the log but does not vote.</summary>
    public const string Learner = "learner";
}
