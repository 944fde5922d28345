using NodeNomad.Raft.Tests.Harness;

namespace NodeNomad.Raft.Tests.Paper;

/// <summary>§6 (thesis §4) membership changes: one replica at a time, with learners.</summary>
public class MembershipTests
{
    private static void Change(RaftNetwork net, ulong leader, ConfChangeType type, ulong node)
    {
        net.Raft(leader).ProposeConfChange(new ConfChange(type, node)).Accepted.ShouldBeTrue();
        net.Stabilize();
    }

    [Fact]
    public void a_learner_is_added_catches_up_and_is_promoted_to_voter()
    {
        var net = new RaftNetwork(3);
        net.Elect(1);
        net.Propose(1, "before");
        net.Stabilize();

        net.Add(4, initialMembers: null);
        Change(net, 1, ConfChangeType.AddLearner, 4);
        net.Raft(1).Status.ConfState.Learners.ShouldBe([4UL]);
        net.AppliedData(4).ShouldBe(["before"]);
        net.Raft(4).Status.ConfState.Voters.ShouldBe([1UL, 2UL, 3UL]);
        net.Raft(4).Status.ConfState.Learners.ShouldBe([4UL]);
        net.Raft(1).Status.Progress[4].Match.ShouldBe(net.Raft(1).Status.LastIndex);

        Change(net, 1, ConfChangeType.AddVoter, 4);
        foreach (var id in new ulong[] { 1, 2, 3, 4 })
        {
            net.Raft(id).Status.ConfState.Voters.ShouldBe([1UL, 2UL, 3UL, 4UL]);
            net.Raft(id).Status.ConfState.Learners.ShouldBeEmpty();
        }
    }

    [Fact]
    public void a_learner_does_not_count_towards_the_quorum_and_never_campaigns()
    {
        var net = new RaftNetwork(3);
        net.Elect(1);
        net.Add(4, initialMembers: null);
        Change(net, 1, ConfChangeType.AddLearner, 4);

        net.Crash(2);
        net.Crash(3);
        var proposal = net.Propose(1, "needs-a-voter");
        net.Stabilize();
        net.Raft(4).Status.LastIndex.ShouldBe(proposal.Index);
        net.Raft(1).Status.HardState.Commit.ShouldBeLessThan(proposal.Index);

        net.Tick(4, 100);
        net.Raft(4).Status.SoftState.Role.ShouldBe(RaftRole.Follower);
        net.Raft(4).Status.HardState.Term.ShouldBe(net.Raft(1).Status.HardState.Term);
    }

    [Fact]
    public void a_removed_voter_no_longer_counts_and_the_rest_commit_without_it()
    {
        var net = new RaftNetwork(3);
        net.Elect(1);
        Change(net, 1, ConfChangeType.RemoveNode, 3);

        net.Raft(1).Status.ConfState.Voters.ShouldBe([1UL, 2UL]);
        net.Raft(1).Status.Progress.Keys.ShouldBe([1UL, 2UL]);
        net.Crash(3);
        net.Propose(1, "two-voters");
        net.Stabilize();
        net.AppliedData(2).ShouldBe(["two-voters"]);
    }

    [Fact]
    public void a_leader_that_removes_itself_steps_down_and_the_others_elect_a_leader()
    {
        var net = new RaftNetwork(3);
        net.Elect(1);
        Change(net, 1, ConfChangeType.RemoveNode, 1);

        net.Raft(1).Status.SoftState.Role.ShouldBe(RaftRole.Follower);
        net.Raft(1).Status.ConfState.Voters.ShouldBe([2UL, 3UL]);
        for (var i = 0; i < 40 && !net.Leaders.Any(); i++)
        {
            net.TickAll();
            net.Stabilize();
        }

        net.Leaders.Single().Id.ShouldBeOneOf(2UL, 3UL);
        net.Raft(1).Status.SoftState.Role.ShouldBe(RaftRole.Follower);
    }

    [Fact]
    public void a_membership_change_is_refused_while_another_is_pending()
    {
        var net = new RaftNetwork(3);
        net.Elect(1);
        net.Add(4, initialMembers: null);
        net.Raft(1).ProposeConfChange(new ConfChange(ConfChangeType.AddLearner, 4)).Accepted.ShouldBeTrue();
        net.Raft(1).ProposeConfChange(new ConfChange(ConfChangeType.RemoveNode, 3)).ShouldBe(ProposeResult.Dropped);

        net.Stabilize();
        net.Raft(1).ProposeConfChange(new ConfChange(ConfChangeType.RemoveNode, 3)).Accepted.ShouldBeTrue();
    }

    [Fact]
    public void a_new_leader_refuses_membership_changes_until_it_commits_an_entry_of_its_term()
    {
        var net = new RaftNetwork(3);
        net.Drop = m => m.Type == MessageType.AppendResponse;
        net.Elect(1);
        net.Raft(1).ProposeConfChange(new ConfChange(ConfChangeType.RemoveNode, 3)).ShouldBe(ProposeResult.Dropped);

        net.Drop = null;
        net.TickAll();
        net.Stabilize();
        net.Raft(1).ProposeConfChange(new ConfChange(ConfChangeType.RemoveNode, 3)).Accepted.ShouldBeTrue();
    }

    [Fact]
    public void removing_the_last_voter_is_refused()
    {
        var net = new RaftNetwork(1);
        net.Elect(1);
        net.Raft(1).ProposeConfChange(new ConfChange(ConfChangeType.RemoveNode, 1)).ShouldBe(ProposeResult.Dropped);
    }

    [Fact]
    public void a_voter_is_demoted_to_learner()
    {
        var net = new RaftNetwork(3);
        net.Elect(1);
        Change(net, 1, ConfChangeType.AddLearner, 3);

        net.Raft(2).Status.ConfState.Voters.ShouldBe([1UL, 2UL]);
        net.Raft(2).Status.ConfState.Learners.ShouldBe([3UL]);
        net.Tick(3, 100);
        net.Raft(3).Status.SoftState.Role.ShouldBe(RaftRole.Follower);
    }

    [Fact]
    public void the_change_context_round_trips_through_the_log()
    {
        var net = new RaftNetwork(3);
        net.Elect(1);
        net.Add(4, initialMembers: null);
        net.Raft(1).ProposeConfChange(new ConfChange(ConfChangeType.AddLearner, 4, "10.0.0.4:7000"u8.ToArray()));
        net.ProcessAll();

        var entry = net.Pending.First(m => m.Type == MessageType.Append).Entries.Single(e => e.Type == EntryType.ConfChange);
        var decoded = ConfChange.Decode(entry.Data.Span);
        decoded.Type.ShouldBe(ConfChangeType.AddLearner);
        decoded.NodeId.ShouldBe(4UL);
        decoded.Context.ToArray().ShouldBe("10.0.0.4:7000"u8.ToArray());
    }

    [Fact]
    public void a_replica_that_joins_later_learns_the_initial_members_from_the_log()
    {
        var net = new RaftNetwork(3);
        net.Elect(1);
        net.Add(4, initialMembers: null);
        Change(net, 1, ConfChangeType.AddLearner, 4);
        Change(net, 1, ConfChangeType.AddVoter, 4);

        // With the initial members known, 4 alone is no majority: isolated, it cannot lead.
        net.Isolate(4);
        net.Tick(4, 100);
        net.Raft(4).Status.SoftState.Role.ShouldNotBe(RaftRole.Leader);
    }
}
