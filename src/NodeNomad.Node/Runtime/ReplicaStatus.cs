using NodeNomad.Contracts;
using NodeNomad.Raft;

namespace NodeNomad.Node.Runtime;

/// <summary>A replica's Raft state as last seen by its loop, for the status endpoints.</summary>
/// <param name="Role">Its role.</param>
/// <param name="Term">Its current term.</param>
/// <param name="LeaderId">The node that leads, or null.</param>
/// <param name="CommitIndex">Highest index known committed.</param>
/// <param name="AppliedIndex">Highest index applied to the state machine.</param>
/// <param name="LastIndex">Last index of its log.</param>
/// <param name="Voters">Node ids of the group's voters.</param>
public sealed record ReplicaStatus(RaftRole Role, ulong Term, string? LeaderId, ulong CommitIndex, ulong AppliedIndex, ulong LastIndex, IReadOnlyList<string> Voters)
{
    /// <summary>The status before recovery.</summary>
    public static ReplicaStatus Starting { get; } = new(RaftRole.Follower, 0, null, 0, 0, 0, []);

    /// <summary>The leader's replica id, or 0.</summary>
    public ulong LeaderReplica { get; init; }

    /// <summary>Node ids of the group's learners.</summary>
    public IReadOnlyList<string> Learners { get; init; } = [];

    /// <summary>Since when (the core's time, Unix milliseconds) no leader has been known; 0 while one is.</summary>
    public long LeaderlessSince { get; init; }

    /// <summary>On a leader: the other members whose log holds everything committed. Empty elsewhere.</summary>
    public IReadOnlyList<string> CaughtUp { get; init; } = [];

    /// <summary>On a leader: how far each other member's log is known to reach, and how it is replicated to. Empty elsewhere.</summary>
    public IReadOnlyList<FollowerProgress> Followers { get; init; } = [];

    /// <summary>The role's wire name.</summary>
    public string RoleName => Role switch
    {
        RaftRole.Leader => ReplicaRoles.Leader,
        RaftRole.Candidate => ReplicaRoles.Candidate,
        RaftRole.PreCandidate => ReplicaRoles.PreCandidate,
        _ => ReplicaRoles.Follower,
    };
}
