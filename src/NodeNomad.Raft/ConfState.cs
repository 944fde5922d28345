namespace NodeNomad.Raft;

/// <summary>A group's membership as of some log index: who votes and who only learns.</summary>
/// <param name="Voters">Replica ids that vote (in a joint configuration, the incoming set).</param>
/// <param name="Learners">Replica ids that receive the log without voting.</param>
/// <param name="VotersOutgoing">During a joint configuration, the outgoing voter set; empty otherwise.</param>
public sealed record ConfState(IReadOnlyList<ulong> Voters, IReadOnlyList<ulong> Learners, IReadOnlyList<ulong> VotersOutgoing)
{
    /// <summary>A membership with no replicas.</summary>
    public static ConfState Empty { get; } = new([], [], []);

    /// <summary>A membership of voters only.</summary>
    public static ConfState OfVoters(params ulong[] voters) => new(voters, [], []);

    /// <summary>Whether both hold the same replicas in the same roles.</summary>
    public bool SameMembers(ConfState other) =>
        Voters.SequenceEqual(other.Voters) && Learners.SequenceEqual(other.Learners) && VotersOutgoing.SequenceEqual(other.VotersOutgoing);
}
