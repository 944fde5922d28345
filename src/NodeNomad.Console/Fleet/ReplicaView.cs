namespace NodeNomad.Console.Fleet;

/// <summary>One replica of a shard as the shard's detail shows it.</summary>
/// <param name="NodeId">The node holding it.</param>
/// <param name="Role">leader, follower or learner, as the cluster's map says.</param>
/// <param name="Available">Whether its node is up.</param>
/// <param name="Term">The term its node last reported for the shard, or null when it has not.</param>
/// <param name="CommitIndex">The commit index its node last reported, or null.</param>
/// <param name="AppliedIndex">The applied index its node last reported, or null.</param>
/// <param name="Lag">Entries it is behind the leader's commit index, or null when either is unknown.</param>
public sealed record ReplicaView(string NodeId, string Role, bool Available, long? Term, long? CommitIndex, long? AppliedIndex, long? Lag);
