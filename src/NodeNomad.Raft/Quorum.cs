namespace NodeNomad.Raft;

/// <summary>The outcome of a vote among a set of voters.</summary>
internal enum VoteOutcome
{
    Pending,
    Won,
    Lost,
}

/// <summary>Majority arithmetic over one voter set (learners never count).</summary>
internal static class Quorum
{
    public static int Majority(int voters) => (voters / 2) + 1;

    /// <summary>
    /// The highest index that a majority of voters has matched: any two majorities intersect, so an entry at
    /// or below it is on at least one member of every future quorum. 0 for an empty voter set.
    /// </summary>
    public static ulong CommittedIndex(IReadOnlyCollection<ulong> voters, Func<ulong, ulong> match)
    {
        if (voters.Count == 0)
        {
            return 0;
        }

        var matches = voters.Select(match).OrderByDescending(index => index).ToArray();
        return matches[Majority(voters.Count) - 1];
    }

    /// <summary>Won once a majority granted; lost once a majority can no longer grant; pending otherwise.</summary>
    public static VoteOutcome Tally(IReadOnlyCollection<ulong> voters, IReadOnlyDictionary<ulong, bool> votes)
    {
        if (voters.Count == 0)
        {
            return VoteOutcome.Won;
        }

        int granted = 0, missing = 0;
        foreach (var id in voters)
        {
            if (!votes.TryGetValue(id, out var vote))
            {
                missing++;
            }
            else if (vote)
            {
                granted++;
            }
        }

        var majority = Majority(voters.Count);
        if (granted >= majority)
        {
            return VoteOutcome.Won;
        }

        return granted + missing >= majority ? VoteOutcome.Pending : VoteOutcome.Lost;
    }
}
