using NodeNomad.Raft.Tests.Harness;

namespace NodeNomad.Raft.Tests.Paper;

/// <summary>Thesis §3.10 leadership transfer.</summary>
public class TransferTests
{
    [Fact]
    public void leadership_moves_to_an_up_to_date_follower_at_once()
    {
        var net = new RaftNetwork(3);
        net.Elect(1);
        var term = net.Raft(1).Status.HardState.Term;

        net.Raft(1).TransferLeadership(2);
        net.ProcessAll();
        net.Pending.Single().Type.ShouldBe(MessageType.TimeoutNow);
        net.Stabilize();

        net.Raft(2).Status.SoftState.ShouldBe(new SoftState(2, RaftRole.Leader));
        net.Raft(2).Status.HardState.Term.ShouldBe(term + 1);
        net.Raft(1).Status.SoftState.ShouldBe(new SoftState(2, RaftRole.Follower));
    }

    [Fact]
    public void a_lagging_transferee_is_caught_up_first_and_then_told_to_campaign()
    {
        var net = new RaftNetwork(3);
        net.Elect(1);
        net.Isolate(3);
        net.Propose(1, "a");
        net.Propose(1, "b");
        net.Stabilize();
        net.Heal();

        net.Raft(1).TransferLeadership(3);
        net.ProcessAll();
        net.Pending.ShouldAllBe(m => m.Type == MessageType.Append);
        net.Stabilize();

        net.Raft(3).Status.SoftState.Role.ShouldBe(RaftRole.Leader);
        net.AppliedData(3).ShouldBe(["a", "b"]);
    }

    [Fact]
    public void proposals_are_dropped_while_a_transfer_is_in_progress_and_resume_when_it_is_abandoned()
    {
        var net = new RaftNetwork(3);
        net.Elect(1);
        net.Isolate(3);
        net.Raft(1).TransferLeadership(3);
        net.Raft(1).Status.LeadTransferee.ShouldBe(3UL);
        net.Propose(1, "dropped").Accepted.ShouldBeFalse();

        for (var i = 0; i < 10; i++)
        {
            net.Tick(1);
            net.Tick(2);
            net.Stabilize();
        }

        net.Raft(1).Status.LeadTransferee.ShouldBe(0UL);
        net.Raft(1).Status.SoftState.Role.ShouldBe(RaftRole.Leader);
        net.Propose(1, "accepted").Accepted.ShouldBeTrue();
    }

    [Fact]
    public void the_transferees_campaign_passes_through_the_other_voters_leases()
    {
        var net = new RaftNetwork(3);
        net.Elect(1);
        net.Raft(1).TransferLeadership(3);
        net.Stabilize();

        // 2 heard from 1 a moment ago, yet voted for 3.
        net.Raft(3).Status.SoftState.Role.ShouldBe(RaftRole.Leader);
        net.Raft(2).Status.HardState.Vote.ShouldBe(3UL);
    }

    [Fact]
    public void a_transfer_requested_on_a_follower_is_forwarded_to_the_leader()
    {
        var net = new RaftNetwork(3);
        net.Elect(1);
        net.Raft(2).TransferLeadership(2);
        net.Stabilize();
        net.Raft(2).Status.SoftState.Role.ShouldBe(RaftRole.Leader);
    }

    [Fact]
    public void a_transfer_to_a_learner_is_ignored()
    {
        var net = new RaftNetwork(3);
        net.Elect(1);
        net.Add(4, initialMembers: null);
        net.Raft(1).ProposeConfChange(new ConfChange(ConfChangeType.AddLearner, 4));
        net.Stabilize();

        net.Raft(1).TransferLeadership(4);
        net.Raft(1).Status.LeadTransferee.ShouldBe(0UL);
    }
}
