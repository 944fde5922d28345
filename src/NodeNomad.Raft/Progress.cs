namespace NodeNomad.Raft;

/// <summary>How a leader replicates to one follower.</summary>
internal enum ProgressState
{
    /// <summary>Where the logs agree is unknown: one Append at a time, waiting for each answer.</summary>
    Probe,

    /// <summary>The logs agree up to Match: Appends stream ahead optimistically, bounded by the inflight window.</summary>
    Replicate,

    /// <summary>The follower needs entries the leader compacted: a snapshot is on its way; Appends wait.</summary>
    Snapshot,
}

/// <summary>A follower's replication progress as its leader sees it.</summary>
/// <remarks>Invariant: Match &lt; Next. Entries in (Match, Next) are in flight.</remarks>
internal sealed class Progress(ulong match, ulong next, bool isLearner, int maxInflight)
{
    public ulong Match { get; private set; } = match;

    public ulong Next { get; set; } = next;

    public ProgressState State { get; private set; } = ProgressState.Probe;

    /// <summary>In <see cref="ProgressState.Snapshot"/>, the index of the snapshot sent.</summary>
    public ulong PendingSnapshot { get; private set; }

    /// <summary>Heard from within the current check-quorum period.</summary>
    public bool RecentActive { get; set; }

    /// <summary>
    /// For lease reads: the leader's tick when it sent the newest heartbeat this follower acknowledged. The follower
    /// refuses other candidates for an election timeout after receiving it, so the lease counts from the send.
    /// </summary>
    public ulong LeaseTick { get; set; }

    /// <summary>Sending is paused: in probe after one Append, in replicate once the window filled.</summary>
    public bool Paused { get; set; }

    public bool IsLearner { get; set; } = isLearner;

    public Inflights Inflights { get; } = new(maxInflight);

    /// <summary>The highest commit index sent to the follower that it can apply (bounded by Next - 1).</summary>
    public ulong SentCommitIndex { get; private set; }

    public bool IsPaused => State switch
    {
        ProgressState.Probe => Paused,
        ProgressState.Replicate => Paused && Inflights.Full,
        _ => true,
    };

    public string StateName => State switch
    {
        ProgressState.Probe => "probe",
        ProgressState.Replicate => "replicate",
        _ => "snapshot",
    };

    public void BecomeProbe()
    {
        // After a snapshot, probe from past it: the follower holds at least what the snapshot covers.
        var pending = State == ProgressState.Snapshot ? PendingSnapshot : 0;
        ResetState(ProgressState.Probe);
        Next = Math.Max(Match + 1, pending + 1);
        SentCommitIndex = Math.Min(SentCommitIndex, Next - 1);
    }

    public void BecomeReplicate()
    {
        ResetState(ProgressState.Replicate);
        Next = Match + 1;
        SentCommitIndex = Math.Min(SentCommitIndex, Match);
    }

    public void BecomeSnapshot(ulong snapshotIndex)
    {
        ResetState(ProgressState.Snapshot);
        PendingSnapshot = snapshotIndex;
    }

    /// <summary>An Append with <paramref name="entries"/> entries starting at Next was sent.</summary>
    public void SentEntries(int entries)
    {
        if (State == ProgressState.Replicate && entries > 0)
        {
            Next += (ulong)entries;
            Inflights.Add(Next - 1);
        }

        Paused = true;
    }

    public void SentCommit(ulong commit) => SentCommitIndex = Math.Min(Math.Max(SentCommitIndex, commit), Next - 1);

    /// <summary>Whether sending <paramref name="commit"/> could move the follower's commit index.</summary>
    public bool CanBumpCommit(ulong commit) => SentCommitIndex < Math.Min(commit, Next - 1);

    /// <summary>The follower acknowledged <paramref name="index"/>; false if the acknowledgement is stale.</summary>
    public bool MaybeUpdate(ulong index)
    {
        if (index <= Match)
        {
            return false;
        }

        Match = index;
        Next = Math.Max(Next, index + 1);
        return true;
    }

    /// <summary>
    /// The follower rejected an Append at <paramref name="rejected"/> and hinted that the logs may agree at
    /// <paramref name="matchHint"/>. False when the rejection is stale (reordered or duplicated).
    /// </summary>
    public bool MaybeDecrTo(ulong rejected, ulong matchHint)
    {
        if (State == ProgressState.Replicate)
        {
            if (rejected <= Match)
            {
                return false;
            }

            Next = Match + 1;
            SentCommitIndex = Math.Min(SentCommitIndex, Match);
            return true;
        }

        // A probe has one Append in flight, anchored at Next - 1; a rejection of anything else is stale.
        if (Next - 1 != rejected)
        {
            return false;
        }

        Next = Math.Max(Math.Min(rejected, matchHint + 1), Match + 1);
        SentCommitIndex = Math.Min(SentCommitIndex, Next - 1);
        Paused = false;
        return true;
    }

    public PeerProgress ToPeerProgress() => new(Match, Next, IsLearner, RecentActive, StateName);

    private void ResetState(ProgressState state)
    {
        Paused = false;
        PendingSnapshot = 0;
        State = state;
        Inflights.Reset();
    }
}
