namespace NodeNomad.Raft.Simulation.Tests;

public class SafetyMonitorTests
{
    [Fact]
    public void two_leaders_in_one_term_are_caught()
    {
        var monitor = new SafetyMonitor();
        monitor.Observe(1, Status(1, term: 3, RaftRole.Leader));
        monitor.Observe(2, Status(2, term: 3, RaftRole.Follower));
        monitor.Observe(1, Status(1, term: 4, RaftRole.Follower));

        Should.Throw<InvariantViolationException>(() => monitor.Observe(2, Status(2, term: 3, RaftRole.Leader)))
            .Message.ShouldContain("two leaders in term 3");
    }

    [Fact]
    public void a_term_or_commit_going_back_in_memory_is_caught()
    {
        var monitor = new SafetyMonitor();
        monitor.Observe(1, Status(1, term: 5, RaftRole.Follower, commit: 4));

        Should.Throw<InvariantViolationException>(() => monitor.Observe(1, Status(1, term: 4, RaftRole.Follower, commit: 4)));
        Should.Throw<InvariantViolationException>(() => monitor.Observe(1, Status(1, term: 5, RaftRole.Follower, commit: 3)));
    }

    [Fact]
    public void a_vote_changing_within_its_term_is_caught()
    {
        var monitor = new SafetyMonitor();
        monitor.Observe(1, Status(1, term: 5, RaftRole.Follower, vote: 2));

        Should.Throw<InvariantViolationException>(() => monitor.Observe(1, Status(1, term: 5, RaftRole.Follower, vote: 3)));
        Should.Throw<InvariantViolationException>(() => SafetyMonitor.Persisting(1, new HardState(5, 2, 0), new HardState(5, 3, 0)));
        Should.Throw<InvariantViolationException>(() => SafetyMonitor.Persisting(1, new HardState(5, 2, 0), new HardState(4, 2, 0)));
        SafetyMonitor.Persisting(1, new HardState(5, 0, 0), new HardState(5, 3, 0));
        SafetyMonitor.Persisting(1, new HardState(5, 2, 0), new HardState(6, 0, 1));
    }

    [Fact]
    public void an_acknowledgement_or_vote_sent_before_the_disk_holds_it_is_caught()
    {
        var disk = new SimulatedDisk();
        disk.Append([Entry.Command(1, 1, Array.Empty<byte>()), Entry.Command(2, 1, Array.Empty<byte>())]);
        disk.SaveHardState(new HardState(3, 2, 1));

        SafetyMonitor.Sending(1, new Message { Type = MessageType.AppendResponse, From = 1, To = 2, Term = 3, Index = 2 }, disk);
        SafetyMonitor.Sending(1, new Message { Type = MessageType.AppendResponse, From = 1, To = 2, Term = 3, Index = 5, Reject = true }, disk);
        SafetyMonitor.Sending(1, new Message { Type = MessageType.VoteResponse, From = 1, To = 2, Term = 3 }, disk);
        Should.Throw<InvariantViolationException>(() =>
            SafetyMonitor.Sending(1, new Message { Type = MessageType.AppendResponse, From = 1, To = 2, Term = 3, Index = 3 }, disk));
        Should.Throw<InvariantViolationException>(() =>
            SafetyMonitor.Sending(1, new Message { Type = MessageType.VoteResponse, From = 1, To = 3, Term = 3 }, disk));
        Should.Throw<InvariantViolationException>(() =>
            SafetyMonitor.Sending(1, new Message { Type = MessageType.VoteResponse, From = 1, To = 2, Term = 4 }, disk));

        // A promise from a term the replica has persisted leaving can no longer be broken.
        SafetyMonitor.Sending(1, new Message { Type = MessageType.VoteResponse, From = 1, To = 3, Term = 2 }, disk);
    }

    [Fact]
    public void a_read_index_below_an_entry_applied_before_the_read_is_caught()
    {
        SafetyMonitor.ReadConfirmed(1, readIndex: 7, appliedBefore: 7);

        Should.Throw<InvariantViolationException>(() => SafetyMonitor.ReadConfirmed(1, readIndex: 6, appliedBefore: 7));
    }

    [Fact]
    public void a_restart_that_forgets_a_vote_is_caught()
    {
        var monitor = new SafetyMonitor();

        Should.Throw<InvariantViolationException>(() => monitor.Started(1, new HardState(5, 2, 0), Status(1, term: 5, RaftRole.Follower)));
    }

    [Fact]
    public void a_committed_entry_applied_differently_by_another_replica_is_caught()
    {
        var monitor = new SafetyMonitor();
        var (entry, _) = Proposed(monitor, commandId: 1, index: 1, term: 1);
        monitor.Applied(1, entry, fingerprint: 10);

        var other = Entry.Command(1, 2, new KvCommand(2, KvCommandKind.Put, "k", "w", null).Encode());
        Should.Throw<InvariantViolationException>(() => monitor.Applied(2, other, fingerprint: 10))
            .Message.ShouldContain("a committed entry changed");
    }

    [Fact]
    public void replicas_with_different_states_at_one_index_are_caught()
    {
        var monitor = new SafetyMonitor();
        var (entry, _) = Proposed(monitor, commandId: 1, index: 1, term: 1);
        monitor.Applied(1, entry, fingerprint: 10);

        Should.Throw<InvariantViolationException>(() => monitor.Applied(2, entry, fingerprint: 11));
        Should.Throw<InvariantViolationException>(() => monitor.Restored(3, new SnapshotMetadata(1, 1, ConfState.Empty), fingerprint: 11));
        monitor.Restored(3, new SnapshotMetadata(1, 1, ConfState.Empty), fingerprint: 10);
    }

    [Fact]
    public void a_leader_lacking_an_entry_committed_before_its_term_is_caught()
    {
        var monitor = new SafetyMonitor();
        monitor.Observe(1, Status(1, term: 1, RaftRole.Leader, commit: 0, lastIndex: 1));
        var (entry, _) = Proposed(monitor, commandId: 1, index: 1, term: 1);
        monitor.Applied(1, entry, fingerprint: 10);

        var complete = new SimulatedDisk();
        complete.Append([entry]);
        monitor.LeaderHolds(2, term: 2, complete);

        var lacking = new SimulatedDisk();
        lacking.Append([Entry.Command(1, 2, Array.Empty<byte>())]);
        Should.Throw<InvariantViolationException>(() => monitor.LeaderHolds(2, term: 2, lacking));

        // A stale leader of the term the entry may have been committed in need not hold it.
        monitor.LeaderHolds(3, term: 1, lacking);
    }

    [Fact]
    public void a_command_applied_after_its_client_was_told_it_was_lost_is_caught()
    {
        var monitor = new SafetyMonitor();
        var (entry, commandId) = Proposed(monitor, commandId: 7, index: 1, term: 1);
        monitor.DeclaredLost(commandId);

        Should.Throw<InvariantViolationException>(() => monitor.Applied(1, entry, fingerprint: 10));
    }

    [Fact]
    public void a_command_applied_at_another_place_than_it_was_accepted_is_caught()
    {
        var monitor = new SafetyMonitor();
        monitor.Proposed(7, new ProposeResult(true, 1, 1));
        var moved = Entry.Command(2, 1, new KvCommand(7, KvCommandKind.Put, "k", "v", null).Encode());

        Should.Throw<InvariantViolationException>(() => monitor.Applied(1, moved, fingerprint: 10));
    }

    [Fact]
    public void a_command_applied_twice_is_caught()
    {
        var monitor = new SafetyMonitor();
        var (entry, _) = Proposed(monitor, commandId: 7, index: 1, term: 1);
        monitor.Applied(1, entry, fingerprint: 10);
        var again = Entry.Command(2, 1, entry.Data);

        Should.Throw<InvariantViolationException>(() => monitor.Applied(1, again, fingerprint: 10));
    }

    private static (Entry Entry, ulong CommandId) Proposed(SafetyMonitor monitor, ulong commandId, ulong index, ulong term)
    {
        monitor.Proposed(commandId, new ProposeResult(true, index, term));
        return (Entry.Command(index, term, new KvCommand(commandId, KvCommandKind.Put, "k", "v", null).Encode()), commandId);
    }

    private static RaftStatus Status(ulong id, ulong term, RaftRole role, ulong vote = 0, ulong commit = 0, ulong lastIndex = 10) =>
        new(id, new HardState(term, vote, commit), new SoftState(role == RaftRole.Leader ? id : 0, role), 0, lastIndex, ConfState.Empty,
            new Dictionary<ulong, PeerProgress>(), 0);
}
