namespace NodeNomad.Raft.Simulation.Tests;

/// <summary>
/// Raft's safety properties, checked as the simulation runs; each broken one throws
/// <see cref="InvariantViolationException"/> naming the replicas, indexes and terms involved.
/// <list type="bullet">
/// <item>Election safety: at most one leader per term.</item>
/// <item>State machine safety: every replica applies the same entry at the same index (a global record of
/// everything any replica ever applied), and replicas at the same applied index hold the same state.</item>
/// <item>Leader completeness: a leader's log holds every entry committed before its term.</item>
/// <item>Durability: an acknowledgement or a vote is sent only once the disk holds it; persisted terms never go
/// back, a persisted vote never changes within its term, and neither term, vote nor commit go back in memory
/// between restarts.</item>
/// <item>Reads: a read index covers every entry applied anywhere before the read was requested.</item>
/// <item>Proposals: an applied command sits at the (index, term) its proposal was given, is applied at one
/// index only, and never after its client was told it was lost.</item>
/// </list>
/// </summary>
internal sealed class SafetyMonitor
{
    // Index 0 is unused; a null slot is an index nobody has applied yet.
    private readonly List<AppliedRecord?> _applied = [null];
    private readonly Dictionary<ulong, ulong> _leaderOfTerm = [];
    private readonly Dictionary<ulong, (ulong Index, ulong Term)> _proposedAt = [];
    private readonly Dictionary<ulong, ulong> _appliedAt = [];
    private readonly HashSet<ulong> _lost = [];
    private readonly Dictionary<ulong, HardState> _inMemory = [];

    /// <summary>The highest term any replica has reached so far.</summary>
    public ulong MaxTerm { get; private set; }

    /// <summary>The highest index any replica has applied.</summary>
    public ulong MaxApplied => (ulong)_applied.Count - 1;

    public int Leaders => _leaderOfTerm.Count;

    /// <summary>A replica (re)started: its in-memory state restarts from what it persisted.</summary>
    public void Started(ulong replica, HardState persisted, RaftStatus status)
    {
        ArgumentNullException.ThrowIfNull(status);
        var recovered = status.HardState;
        // A brand-new replica may start in term 1 (its first Ready persists it); none may forget a term or a vote.
        if (recovered.Term < persisted.Term || (recovered.Term == persisted.Term && persisted.Vote != 0 && recovered.Vote != persisted.Vote))
        {
            Fail($"replica {replica} restarted with term {recovered.Term} and vote {recovered.Vote}, but persisted term {persisted.Term} and vote {persisted.Vote}.");
        }

        if (recovered.Commit < persisted.Commit)
        {
            Fail($"replica {replica} restarted with commit {recovered.Commit}, below its persisted commit {persisted.Commit}.");
        }

        _inMemory[replica] = recovered;
        Observe(replica, status);
    }

    /// <summary>Checks a replica's state after a step: terms, votes and commits only move forward; one leader per term.</summary>
    public void Observe(ulong replica, RaftStatus status)
    {
        ArgumentNullException.ThrowIfNull(status);
        var now = status.HardState;
        if (_inMemory.TryGetValue(replica, out var before))
        {
            if (now.Term < before.Term)
            {
                Fail($"replica {replica}'s term went back from {before.Term} to {now.Term}.");
            }

            if (now.Term == before.Term && before.Vote != 0 && now.Vote != before.Vote)
            {
                Fail($"replica {replica} changed its vote in term {now.Term} from {before.Vote} to {now.Vote}.");
            }

            if (now.Commit < before.Commit)
            {
                Fail($"replica {replica}'s commit went back from {before.Commit} to {now.Commit}.");
            }
        }

        _inMemory[replica] = now;
        if (now.Commit > status.LastIndex)
        {
            Fail($"replica {replica} commits up to {now.Commit} but its log ends at {status.LastIndex}.");
        }

        MaxTerm = Math.Max(MaxTerm, now.Term);
        if (status.SoftState.Role == RaftRole.Leader)
        {
            if (_leaderOfTerm.TryGetValue(now.Term, out var leader) && leader != replica)
            {
                Fail($"two leaders in term {now.Term}: replicas {leader} and {replica}.");
            }

            _leaderOfTerm[now.Term] = replica;
        }
    }

    /// <summary>Checks a hard state about to replace the persisted one.</summary>
    public static void Persisting(ulong replica, HardState persisted, HardState next)
    {
        if (next.Term < persisted.Term)
        {
            Fail($"replica {replica} was asked to persist term {next.Term} over term {persisted.Term}.");
        }

        if (next.Term == persisted.Term && persisted.Vote != 0 && next.Vote != persisted.Vote)
        {
            Fail($"replica {replica} was asked to persist vote {next.Vote} in term {next.Term}, after persisting vote {persisted.Vote}.");
        }

        if (next.Commit < persisted.Commit)
        {
            Fail($"replica {replica} was asked to persist commit {next.Commit} over commit {persisted.Commit}.");
        }
    }

    /// <summary>
    /// Durability before promises, checked as a Ready's messages go out: a replica acknowledges only entries its
    /// disk holds, and grants only a vote its disk holds. Otherwise a crash could take back what a leader
    /// counted as replicated, or let the replica vote twice in one term.
    /// </summary>
    public static void Sending(ulong replica, Message message, SimulatedDisk disk)
    {
        ArgumentNullException.ThrowIfNull(message);
        ArgumentNullException.ThrowIfNull(disk);

        // One Ready may carry a promise made in a term the replica has since left (it stepped several messages
        // before the host handled the Ready). Having persisted the later term, it refuses the earlier one for good.
        if (message.Term < disk.HardState.Term)
        {
            return;
        }

        if (message.Type == MessageType.AppendResponse && !message.Reject && message.Index > disk.LastIndex)
        {
            Fail($"replica {replica} acknowledged entries up to {message.Index} to replica {message.To}, but its disk holds only up to {disk.LastIndex}.");
        }

        if (message.Type == MessageType.VoteResponse && !message.Reject && (disk.HardState.Term < message.Term || disk.HardState.Vote != message.To))
        {
            Fail($"replica {replica} granted its vote in term {message.Term} to replica {message.To}, but its disk holds term {disk.HardState.Term} and vote {disk.HardState.Vote}.");
        }
    }

    /// <summary>
    /// A read index must cover every entry applied anywhere before the read was requested: those were committed
    /// already, and a read that misses one returns a value older than a write that had finished.
    /// </summary>
    public static void ReadConfirmed(ulong replica, ulong readIndex, ulong appliedBefore)
    {
        if (readIndex < appliedBefore)
        {
            Fail($"replica {replica} got read index {readIndex} for a read requested after index {appliedBefore} had been applied: the read could miss a finished write.");
        }
    }

    /// <summary>A leader accepted a command proposal at (index, term).</summary>
    public void Proposed(ulong commandId, ProposeResult result)
    {
        _proposedAt[commandId] = (result.Index, result.Term);
        if (_appliedAt.TryGetValue(commandId, out var index))
        {
            Fail($"command {commandId} was proposed at ({result.Index}, {result.Term}) after it was applied at {index}.");
        }
    }

    /// <summary>A client was told its command was lost: the entry applied at its index has another term.</summary>
    public void DeclaredLost(ulong commandId)
    {
        if (_appliedAt.TryGetValue(commandId, out var index))
        {
            Fail($"command {commandId} was reported lost, but it was applied at index {index}.");
        }

        _lost.Add(commandId);
    }

    /// <summary>
    /// A replica applied <paramref name="entry"/>, reaching state <paramref name="fingerprint"/>. The first
    /// replica to apply an index records it; every later one must apply the same entry and reach the same state.
    /// </summary>
    public void Applied(ulong replica, Entry entry, ulong fingerprint)
    {
        var index = entry.Index;
        if (index < (ulong)_applied.Count && _applied[(int)index] is { } known)
        {
            if (!known.Entry.SameAs(entry))
            {
                Fail($"index {index} was applied as {Describe(known.Entry)} by replica {known.FirstReplica}, but as {Describe(entry)} by replica {replica}: a committed entry changed.");
            }

            if (known.Fingerprint != fingerprint)
            {
                Fail($"replicas {known.FirstReplica} and {replica} hold different states after applying index {index}.");
            }

            return;
        }

        while ((ulong)_applied.Count <= index)
        {
            _applied.Add(null);
        }

        // Committed by a leader of a term no higher than any term seen so far; a leader of a later term must hold it.
        _applied[(int)index] = new AppliedRecord(entry, MaxTerm, fingerprint, replica);
        if (entry.Type == EntryType.Normal && !entry.Data.IsEmpty)
        {
            var commandId = KvCommand.IdOf(entry.Data.Span);
            if (!_proposedAt.TryGetValue(commandId, out var proposed))
            {
                Fail($"index {index} holds command {commandId}, which no leader accepted.");
            }
            else if (proposed != (index, entry.Term))
            {
                Fail($"command {commandId} was accepted at ({proposed.Index}, {proposed.Term}) but applied at ({index}, {entry.Term}).");
            }

            if (_appliedAt.TryGetValue(commandId, out var earlier))
            {
                Fail($"command {commandId} was applied at index {earlier} and again at {index}.");
            }

            if (_lost.Contains(commandId))
            {
                Fail($"command {commandId} was applied at index {index} after its client was told it was lost.");
            }

            _appliedAt[commandId] = index;
        }
    }

    /// <summary>A replica restored a snapshot (received, or its own on restart), reaching state <paramref name="fingerprint"/>.</summary>
    public void Restored(ulong replica, SnapshotMetadata metadata, ulong fingerprint)
    {
        ArgumentNullException.ThrowIfNull(metadata);
        var index = metadata.Index;
        if (index >= (ulong)_applied.Count || _applied[(int)index] is not { } known)
        {
            Fail($"replica {replica} restored a snapshot at index {index}, which no replica ever applied.");
            return;
        }

        if (known.Entry.Term != metadata.Term)
        {
            Fail($"replica {replica} restored a snapshot at ({index}, {metadata.Term}), but the entry applied at {index} has term {known.Entry.Term}.");
        }

        if (known.Fingerprint != fingerprint)
        {
            Fail($"replica {replica} restored a snapshot at index {index} whose state differs from what replica {known.FirstReplica} reached there.");
        }
    }

    /// <summary>
    /// Leader completeness, checked on the leader's persisted log: every entry applied anywhere before the
    /// leader's term began (by a bound on the term that committed it) must be in it, or under its snapshot.
    /// </summary>
    public void LeaderHolds(ulong leader, ulong term, SimulatedDisk disk)
    {
        ArgumentNullException.ThrowIfNull(disk);
        var from = Math.Max(1, disk.SnapshotIndex);
        for (var index = from; index < (ulong)_applied.Count; index++)
        {
            if (_applied[(int)index] is not { } known || known.TermBound >= term)
            {
                continue;
            }

            var held = index == disk.SnapshotIndex ? disk.TermAt(index) : disk.EntryAt(index)?.Term;
            var same = index == disk.SnapshotIndex ? held == known.Entry.Term : disk.EntryAt(index) is { } entry && entry.SameAs(known.Entry);
            if (!same)
            {
                Fail($"leader {leader} of term {term} lacks committed entry {Describe(known.Entry)} (its log holds term {held?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "nothing"} there).");
            }
        }
    }

    private static string Describe(Entry entry) =>
        $"({entry.Index}, term {entry.Term}, {entry.Type}, {(entry.Type == EntryType.Normal && !entry.Data.IsEmpty ? "command " + KvCommand.IdOf(entry.Data.Span) : entry.Data.Length + " bytes")})";

    private static void Fail(string message) => throw new InvariantViolationException(message);

    private sealed record AppliedRecord(Entry Entry, ulong TermBound, ulong Fingerprint, ulong FirstReplica);
}
