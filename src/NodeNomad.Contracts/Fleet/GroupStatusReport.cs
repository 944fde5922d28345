namespace NodeNomad.Contracts.Fleet;

/// <summary>A node's replica of one shard's Raft group, as part of a <see cref="NodeStatusReport"/>.</summary>
/// <param name="ShardId">The shard the group replicates.</param>
/// <param name="Role">leader, follower, candidate, pre-candidate or learner.</param>
/// <param name="Term">The replica's current term.</param>
/// <param name="LeaderId">The leader it knows of, or null.</param>
/// <param name="CommitIndex">Highest log index it knows committed.</param>
/// <param name="AppliedIndex">Highest log index it applied.</param>
public sealed record GroupStatusReport(int ShardId, string Role, long Term, string? LeaderId, long CommitIndex, long AppliedIndex);
