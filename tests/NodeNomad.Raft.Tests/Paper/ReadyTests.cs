using NodeNomad.Raft.Tests.Harness;

namespace NodeNomad.Raft.Tests.Paper;

/// <summary>The Ready/Advance contract (persist, then send, then apply, then Advance) and restarts (§5.6 persistence).</summary>
public class ReadyTests
{
    [Fact]
    public void a_brand_new_replica_writes_its_initial_members_as_committed_entries_to_persist_and_apply()
    {
        var raft = new RaftNode(RaftNetwork.Config(1), RaftBootstrap.New(1, 2, 3));
        var ready = raft.Ready();

        ready.Entries.Count.ShouldBe(3);
        ready.Entries.ShouldAllBe(e => e.Type == EntryType.ConfChange && e.Term == 1);
        ready.HardState.ShouldBe(new HardState(1, 0, 3));
        ready.MustSync.ShouldBeTrue();
        // Committed entries wait until the host made them durable.
        ready.CommittedEntries.ShouldBeEmpty();
        raft.Advance(ready);

        var next = raft.Ready();
        next.CommittedEntries.Count.ShouldBe(3);
        next.HardState.ShouldBeNull();
        next.MustSync.ShouldBeFalse();
    }

    [Fact]
    public void a_campaign_asks_for_an_fsync_of_the_new_term_and_vote_before_the_vote_requests_go_out()
    {
        var net = new RaftNetwork(3, id => RaftNetwork.Config(id) with { PreVote = false });
        var raft = net.Raft(1);
        raft.Campaign();
        var ready = raft.Ready();

        ready.HardState!.Value.Term.ShouldBe(2UL);
        ready.HardState!.Value.Vote.ShouldBe(1UL);
        ready.MustSync.ShouldBeTrue();
        ready.Messages.Count.ShouldBe(2);
        ready.SoftState.ShouldBe(new SoftState(0, RaftRole.Candidate));
    }

    [Fact]
    public void nothing_is_ready_once_everything_was_handled()
    {
        var net = new RaftNetwork(3);
        net.Elect(1);
        foreach (var node in net.Nodes.Values)
        {
            node.Raft.HasReady().ShouldBeFalse();
        }
    }

    [Fact]
    public void a_restarted_replica_gets_the_committed_entries_above_its_applied_index_again()
    {
        var net = new RaftNetwork(3);
        net.Elect(1);
        net.Propose(1, "a");
        net.Propose(1, "b");
        net.Stabilize();
        var storage = net[2].Storage;
        var commit = storage.HardState.Commit;

        var raft = new RaftNode(RaftNetwork.Config(2) with { Applied = commit - 1 }, storage.Bootstrap(ConfState.OfVoters(1, 2, 3)));
        var ready = raft.Ready();
        ready.CommittedEntries.Select(e => e.Index).ShouldBe([commit]);
        raft.Status.Applied.ShouldBe(commit - 1);
    }

    [Fact]
    public void a_restarted_replica_recovers_its_term_vote_and_log()
    {
        var net = new RaftNetwork(3);
        net.Elect(1);
        net.Propose(1, "a");
        net.Stabilize();
        var before = net.Raft(3).Status;
        net.Crash(3);
        net.Restart(3);

        var after = net.Raft(3).Status;
        after.HardState.ShouldBe(before.HardState);
        after.LastIndex.ShouldBe(before.LastIndex);
        after.SoftState.ShouldBe(new SoftState(0, RaftRole.Follower));
    }

    [Fact]
    public void entries_not_yet_persisted_are_not_handed_out_to_apply()
    {
        var net = new RaftNetwork(3);
        net.Elect(1);
        var follower = net.Raft(2);
        var term = net.Raft(1).Status.HardState.Term;
        var last = follower.Status.LastIndex;
        follower.Step(new Message
        {
            Type = MessageType.Append,
            From = 1,
            To = 2,
            Term = term,
            Index = last,
            LogTerm = term,
            Entries = [new Entry(last + 1, term, EntryType.Normal, "x"u8.ToArray())],
            Commit = last + 1,
        });
        var ready = follower.Ready();
        ready.Entries.Count.ShouldBe(1);
        ready.HardState!.Value.Commit.ShouldBe(last + 1);
        ready.CommittedEntries.ShouldBeEmpty();
        follower.Advance(ready);
        follower.Ready().CommittedEntries.Single().Index.ShouldBe(last + 1);
    }

    [Fact]
    public void inconsistent_recovered_state_is_refused()
    {
        Should.Throw<ArgumentException>(() => new RaftNode(
            RaftNetwork.Config(1),
            new RaftBootstrap(new HardState(2, 0, 5), null, [new Entry(1, 1, EntryType.Normal, default)], ConfState.OfVoters(1))));
    }
}
