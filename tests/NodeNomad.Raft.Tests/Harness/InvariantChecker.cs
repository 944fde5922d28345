using NodeNomad.Raft;

namespace NodeNomad.Raft.Tests.Harness;

/// <summary>
/// The Raft paper's safety properties (Figure 3), checked across the whole network after every step:
/// election safety, leader append-only, log matching, leader completeness, state machine safety.
/// </summary>
internal sealed class InvariantChecker
{
    private readonly Dictionary<ulong, ulong> _leaderOfTerm = [];
    private readonly Dictionary<ulong, (ulong Term, List<ulong> Terms, ulong First)> _leaderLogs = [];

    /// <summary>Every entry known committed: index → (term, data, the highest term anyone had when it was seen).</summary>
    private readonly Dictionary<ulong, (AppliedEntry Entry, ulong SeenAtTerm)> _committed = [];

    public void Check(RaftNetwork network)
    {
        var live = network.Nodes.Values.Where(n => !n.Down).ToList();
        var maxTerm = network.Nodes.Values.Max(n => n.Raft.Status.HardState.Term);

        foreach (var node in live)
        {
            var status = node.Raft.Status;
            if (status.SoftState.Role != RaftRole.Leader)
            {
                _leaderLogs.Remove(node.Id);
                continue;
            }

            // Election safety: at most one leader per term.
            var term = status.HardState.Term;
            if (_leaderOfTerm.TryGetValue(term, out var other) && other != node.Id)
            {
                throw new InvariantViolation($"election safety: n{other} and n{node.Id} both led term {term}");
            }

            _leaderOfTerm[term] = node.Id;

            // Leader append-only: while it leads in a term, a leader's log only grows.
            var log = node.Raft.Log;
            if (_leaderLogs.TryGetValue(node.Id, out var before) && before.Term == term)
            {
                for (var i = 0; i < before.Terms.Count; i++)
                {
                    var index = before.First + (ulong)i;
                    if (index >= log.FirstIndex && (!log.TryTerm(index, out var now) || now != before.Terms[i]))
                    {
                        throw new InvariantViolation($"leader append-only: n{node.Id} changed its entry {index} in term {term}");
                    }
                }
            }

            var terms = new List<ulong>();
            for (var index = log.FirstIndex; index <= log.LastIndex; index++)
            {
                terms.Add(log.TermOrZero(index));
            }

            _leaderLogs[node.Id] = (term, terms, log.FirstIndex);
        }

        // State machine safety: no two replicas apply different entries at one index.
        foreach (var node in network.Nodes.Values)
        {
            ulong expected = 1;
            foreach (var entry in node.History)
            {
                if (entry.Index != expected)
                {
                    throw new InvariantViolation($"n{node.Id} applied {entry.Index} after {expected - 1}");
                }

                expected++;
                if (_committed.TryGetValue(entry.Index, out var known))
                {
                    if (known.Entry != entry)
                    {
                        throw new InvariantViolation($"state machine safety: n{node.Id} applied {entry} at {entry.Index}, another applied {known.Entry}");
                    }
                }
                else
                {
                    _committed[entry.Index] = (entry, maxTerm);
                }
            }
        }

        // Leader completeness: a leader of a term after an entry committed holds that entry.
        foreach (var node in live)
        {
            var status = node.Raft.Status;
            if (status.SoftState.Role != RaftRole.Leader)
            {
                continue;
            }

            var log = node.Raft.Log;
            foreach (var (index, (entry, seenAtTerm)) in _committed)
            {
                if (status.HardState.Term > seenAtTerm && index > log.SnapshotIndex
                    && (!log.TryTerm(index, out var term) || term != entry.Term))
                {
                    throw new InvariantViolation($"leader completeness: n{node.Id} leads term {status.HardState.Term} without committed entry {index}/{entry.Term}");
                }
            }
        }

        // Log matching: two logs holding an entry with the same index and term agree on every entry before it.
        for (var a = 0; a < live.Count; a++)
        {
            for (var b = a + 1; b < live.Count; b++)
            {
                CheckLogMatching(live[a], live[b]);
            }
        }
    }

    private static void CheckLogMatching(TestNode a, TestNode b)
    {
        var la = a.Raft.Log;
        var lb = b.Raft.Log;
        var first = Math.Max(la.FirstIndex, lb.FirstIndex);
        var last = Math.Min(la.LastIndex, lb.LastIndex);
        var matchedAbove = false;
        for (var index = last; index >= first && index > 0; index--)
        {
            var ea = la.EntryAt(index);
            var eb = lb.EntryAt(index);
            if (ea.Term == eb.Term)
            {
                matchedAbove = true;
            }

            if (matchedAbove && !ea.SameAs(eb))
            {
                throw new InvariantViolation($"log matching: n{a.Id} and n{b.Id} agree above {index} but differ at it");
            }
        }
    }
}

internal sealed class InvariantViolation(string message) : Exception(message);
