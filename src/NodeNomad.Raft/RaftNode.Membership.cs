namespace NodeNomad.Raft;

// Membership: voters and learners, one change at a time, in force from the moment the host applies it.
public sealed partial class RaftNode
{
    private readonly SortedSet<ulong> _voters = [];
    private readonly SortedSet<ulong> _learners = [];

    /// <summary>Every member's progress (voters and learners), kept in id order so iteration is deterministic.</summary>
    private readonly SortedDictionary<ulong, Progress> _progress = [];

    /// <summary>The index of the last membership change proposed; none other may be proposed until it is applied.</summary>
    private ulong _pendingConfIndex;

    private ConfState ConfState => new([.. _voters], [.. _learners], []);

    private bool CanAcceptConfChange(ConfChange change)
    {
        // One change at a time: the previous one must be applied, or two changes could be in flight whose
        // majorities do not intersect.
        if (_pendingConfIndex > _log.Applied)
        {
            return false;
        }

        // A new leader may hold an uncommitted change of an earlier term that a later leader replaced; committing
        // an entry of its own term first settles which changes are in the log (Ongaro, raft-dev 2015).
        if (!CommittedEntryInCurrentTerm)
        {
            return false;
        }

        // A group must keep at least one voter.
        var removesLastVoter = change.Type is ConfChangeType.RemoveNode or ConfChangeType.AddLearner
            && _voters.Count == 1 && _voters.Contains(change.NodeId);
        return change.NodeId != 0 && !removesLastVoter;
    }

    /// <summary>
    /// Whether a committed membership change waits to be applied that would alter the membership. (A change that
    /// sets a replica to the role it already has alters nothing, and neither can a run of such changes: this lets a
    /// brand-new replica campaign before its host applied the initial members, which are already in force.)
    /// </summary>
    private bool HasUnappliedMembershipChange()
    {
        foreach (var entry in _log.UnappliedCommittedEntries())
        {
            if (entry.Type != EntryType.ConfChange)
            {
                continue;
            }

            ConfChange change;
            try
            {
                change = ConfChangeCodec.Decode(entry.Data.Span);
            }
            catch (FormatException)
            {
                return true;
            }

            if (WouldChangeMembership(change))
            {
                return true;
            }
        }

        return false;
    }

    private bool WouldChangeMembership(ConfChange change)
    {
        var id = change.NodeId;
        var onlyVoter = _voters.Count == 1 && _voters.Contains(id);
        return change.Type switch
        {
            ConfChangeType.AddVoter => !_voters.Contains(id),
            ConfChangeType.AddLearner => !_learners.Contains(id) && !onlyVoter,
            _ => (_voters.Contains(id) || _learners.Contains(id)) && !onlyVoter,
        };
    }

    /// <summary>Replaces the membership (and progress) with <paramref name="state"/>: on start, or from a snapshot.</summary>
    private void RestoreMembership(ConfState state)
    {
        _voters.Clear();
        _learners.Clear();
        _progress.Clear();
        foreach (var id in state.Voters.Concat(state.VotersOutgoing))
        {
            AddMember(id, isLearner: false);
        }

        foreach (var id in state.Learners)
        {
            if (!_voters.Contains(id))
            {
                AddMember(id, isLearner: true);
            }
        }
    }

    /// <summary>
    /// Applies one change. Each change only sets one replica's role (voter, learner or absent), so applying the same
    /// sequence twice ends in the same membership. A change that would leave no voter is ignored on every replica alike.
    /// </summary>
    private void ChangeMembership(ConfChange change)
    {
        var id = change.NodeId;
        switch (change.Type)
        {
            case ConfChangeType.AddVoter:
                _learners.Remove(id);
                if (_progress.TryGetValue(id, out var promoted))
                {
                    promoted.IsLearner = false;
                    _voters.Add(id);
                }
                else
                {
                    AddMember(id, isLearner: false);
                }

                break;
            case ConfChangeType.AddLearner:
                if (_voters.Count == 1 && _voters.Contains(id))
                {
                    return;
                }

                _voters.Remove(id);
                if (_progress.TryGetValue(id, out var demoted))
                {
                    demoted.IsLearner = true;
                    _learners.Add(id);
                }
                else
                {
                    AddMember(id, isLearner: true);
                }

                break;
            case ConfChangeType.RemoveNode:
                if (_voters.Count == 1 && _voters.Contains(id))
                {
                    return;
                }

                _voters.Remove(id);
                _learners.Remove(id);
                _progress.Remove(id);
                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(change), change.Type, "Unknown membership change.");
        }
    }

    private void AddMember(ulong id, bool isLearner)
    {
        (isLearner ? _learners : _voters).Add(id);
        // Probe a newcomer with the last entry; it counts as active so check-quorum gives it a full period to answer.
        _progress[id] = new Progress(0, Math.Max(_log.LastIndex, 1), isLearner, _config.MaxInflightMessages)
        {
            RecentActive = true,
        };
    }

    /// <summary>What a leader does once the membership changed: step down if it left, else recount and reach newcomers.</summary>
    private void AfterMembershipChange()
    {
        if (_role != RaftRole.Leader)
        {
            return;
        }

        if (!_voters.Contains(_id))
        {
            // Removed or demoted: a leader outside the voters must not go on deciding for them.
            BecomeFollower(_term, 0);
            return;
        }

        if (_progress.TryGetValue(_id, out var own))
        {
            own.RecentActive = true;
        }

        if (MaybeCommit())
        {
            ReleasePendingReadIndexMessages();
            BroadcastAppend();
        }
        else
        {
            foreach (var id in _progress.Keys.ToList())
            {
                if (id != _id)
                {
                    MaybeSendAppend(id, sendIfEmpty: false);
                }
            }
        }

        if (_leadTransferee != 0 && !_voters.Contains(_leadTransferee))
        {
            _leadTransferee = 0;
        }
    }
}
