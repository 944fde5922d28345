using NodeNomad.Raft.Tests.Harness;

namespace NodeNomad.Raft.Tests.Paper;

/// <summary>Thesis §9.6 (pre-vote) and §6.2 (check-quorum and the leader lease).</summary>
public class PreVoteAndCheckQuorumTests
{
    [Fact]
    public void a_partitioned_replica_with_pre_vote_does_not_bump_its_term_and_does_not_disrupt_the_leader_on_return()
    {
        var net = new RaftNetwork(3);
        net.Elect(1);
        var term = net.Raft(1).Status.HardState.Term;
        net.Isolate(3);
        net.Tick(3, 100);
        net.Stabilize();

        net.Raft(3).Status.HardState.Term.ShouldBe(term);
        net.Raft(3).Status.SoftState.Role.ShouldBe(RaftRole.PreCandidate);

        net.Heal();
        net.TickAll(3);
        net.Stabilize();
        net.Raft(1).Status.SoftState.ShouldBe(new SoftState(1, RaftRole.Leader));
        net.Raft(1).Status.HardState.Term.ShouldBe(term);
        net.Raft(3).Status.SoftState.ShouldBe(new SoftState(1, RaftRole.Follower));
    }

    [Fact]
    public void without_pre_vote_a_returning_partitioned_replica_forces_a_new_term()
    {
        var net = new RaftNetwork(3, id => RaftNetwork.Config(id) with { PreVote = false });
        net.Elect(1);
        net.Isolate(3);
        net.Tick(3, 100);
        net.Stabilize();
        net.Raft(3).Status.HardState.Term.ShouldBeGreaterThan(2UL);

        net.Heal();
        net.TickAll();
        net.Stabilize();
        // The leader's heartbeat is answered with a higher term: it steps down.
        net.Raft(1).Status.HardState.Term.ShouldBeGreaterThan(2UL);
    }

    [Fact]
    public void without_pre_vote_or_check_quorum_a_stale_append_is_answered_with_the_current_term()
    {
        // Paper §5.1: a request with a stale term is rejected with the current term, so its sender steps down. A
        // replica whose membership lags may campaign only towards replicas since removed; this answer is then the
        // only way its higher term reaches the leader that must bring it up to date.
        var net = new RaftNetwork(3, id => RaftNetwork.Config(id) with { PreVote = false, CheckQuorum = false });
        net.Elect(1);
        var raft = net.Raft(2);
        raft.Step(new Message { Type = MessageType.Append, From = 3, To = 2, Term = 5, Index = 0, LogTerm = 0 });
        raft.Status.HardState.Term.ShouldBe(5UL);
        raft.Advance(raft.Ready());

        raft.Step(new Message { Type = MessageType.Heartbeat, From = 1, To = 2, Term = 2 });
        var answer = raft.Ready().Messages.ShouldHaveSingleItem();
        answer.Type.ShouldBe(MessageType.AppendResponse);
        answer.To.ShouldBe(1UL);
        answer.Term.ShouldBe(5UL);
    }

    [Fact]
    public void a_voter_that_heard_from_the_leader_recently_ignores_pre_votes_and_votes()
    {
        var net = new RaftNetwork(3);
        net.Elect(1);
        var raft = net.Raft(2);
        raft.Step(new Message { Type = MessageType.PreVote, From = 3, To = 2, Term = 3, Index = 10, LogTerm = 2 });
        raft.Step(new Message { Type = MessageType.Vote, From = 3, To = 2, Term = 3, Index = 10, LogTerm = 2 });

        raft.HasReady().ShouldBeFalse();
        raft.Status.HardState.Term.ShouldBe(2UL);
    }

    [Fact]
    public void a_pre_vote_is_granted_with_the_messages_term_once_the_lease_expired()
    {
        var net = new RaftNetwork(3);
        net.Elect(1);
        var raft = net.Raft(2);
        for (var i = 0; i < 10; i++)
        {
            raft.Tick();
        }

        raft.Ready();
        raft.Step(new Message { Type = MessageType.PreVote, From = 3, To = 2, Term = 3, Index = 10, LogTerm = 2 });
        var response = raft.Ready().Messages.Single();

        response.ShouldSatisfyAllConditions(
            m => m.Type.ShouldBe(MessageType.PreVoteResponse),
            m => m.Term.ShouldBe(3UL),
            m => m.Reject.ShouldBeFalse());
        raft.Status.HardState.Term.ShouldBe(2UL);
        raft.Status.HardState.Vote.ShouldBe(1UL);
    }

    [Fact]
    public void a_pre_vote_from_a_lower_term_is_rejected_with_our_term()
    {
        var net = new RaftNetwork(3);
        net.Elect(1);
        var raft = net.Raft(2);
        raft.Ready();
        raft.Step(new Message { Type = MessageType.Append, From = 1, To = 2, Term = 3, Index = 1, LogTerm = 1 });
        raft.Ready();

        raft.Step(new Message { Type = MessageType.PreVote, From = 3, To = 2, Term = 2, Index = 10, LogTerm = 1 });
        var response = raft.Ready().Messages.Single();
        response.ShouldSatisfyAllConditions(m => m.Reject.ShouldBeTrue(), m => m.Term.ShouldBe(3UL));
    }

    [Fact]
    public void with_lease_reads_a_restarted_voter_grants_no_vote_or_pre_vote_for_an_election_timeout()
    {
        // Before it crashed the voter may have acknowledged a heartbeat on which the leader now serves lease reads;
        // it forgot when, so it keeps the promise for a whole election timeout from its restart.
        var net = new RaftNetwork(3, id => RaftNetwork.Config(id) with { ReadOnly = ReadOnlyOption.LeaseBased });
        net.Elect(1);
        net.Tick(1);
        net.Stabilize();
        net.Isolate(3);
        net.Restart(3);

        AskForVotes(net, 3).ShouldBeEmpty();
        for (var i = 0; i < RaftNetwork.Config(3).ElectionTick - 1; i++)
        {
            net.Tick(3);
            AskForVotes(net, 3).ShouldBeEmpty();
        }

        net.Tick(3);
        AskForVotes(net, 3).ShouldBe([MessageType.PreVoteResponse, MessageType.VoteResponse]);
    }

    [Fact]
    public void without_lease_reads_a_restarted_voter_votes_at_once()
    {
        var net = new RaftNetwork(3);
        net.Elect(1);
        net.Isolate(3);
        net.Restart(3);

        AskForVotes(net, 3).ShouldBe([MessageType.PreVoteResponse, MessageType.VoteResponse]);
    }

    /// <summary>Replica 2 asks replica <paramref name="id"/> for a pre-vote and a vote in its next term; returns the kinds of the grants.</summary>
    private static List<MessageType> AskForVotes(RaftNetwork net, ulong id)
    {
        var raft = net.Raft(id);
        var term = raft.Status.HardState.Term + 1;
        var (lastIndex, lastTerm) = (raft.Log.LastIndex, raft.Log.LastTerm);
        net.Pending.Clear();
        raft.Step(new Message { Type = MessageType.PreVote, From = 2, To = id, Term = term, Index = lastIndex, LogTerm = lastTerm });
        raft.Step(new Message { Type = MessageType.Vote, From = 2, To = id, Term = term, Index = lastIndex, LogTerm = lastTerm });
        net.ProcessAll();
        var grants = net.Pending
            .Where(m => m.From == id && m.Type is MessageType.PreVoteResponse or MessageType.VoteResponse && !m.Reject)
            .Select(m => m.Type)
            .ToList();
        net.Pending.Clear();
        return grants;
    }

    [Fact]
    public void an_isolated_leader_steps_down_after_an_election_timeout_with_check_quorum()
    {
        var net = new RaftNetwork(3);
        net.Elect(1);
        net.Isolate(1);
        net.Tick(1, 10);
        net.Raft(1).Status.SoftState.Role.ShouldBe(RaftRole.Leader);
        net.Tick(1, 10);

        net.Raft(1).Status.SoftState.ShouldBe(new SoftState(0, RaftRole.Follower));
        net.Raft(1).Status.HardState.Term.ShouldBe(2UL);
    }

    [Fact]
    public void a_leader_with_a_quorum_stays_leader_with_check_quorum()
    {
        var net = new RaftNetwork(3);
        net.Elect(1);
        net.Crash(3);
        for (var i = 0; i < 50; i++)
        {
            net.Tick(1);
            net.Tick(2);
            net.Stabilize();
        }

        net.Raft(1).Status.SoftState.Role.ShouldBe(RaftRole.Leader);
    }

    [Fact]
    public void the_majority_side_elects_a_new_leader_and_the_old_one_follows_it_after_healing()
    {
        var net = new RaftNetwork(5);
        net.Elect(1);
        net.Partition([1, 2], [3, 4, 5]);
        for (var i = 0; i < 40; i++)
        {
            net.TickAll();
            net.Stabilize();
        }

        net.Raft(1).Status.SoftState.Role.ShouldNotBe(RaftRole.Leader);
        var leader = net.Leaders.Single();
        leader.Id.ShouldBeInRange(3UL, 5UL);
        net.Propose(leader.Id, "after");
        net.Heal();
        net.TickAll();
        net.Stabilize();
        net.AppliedData(1).ShouldBe(["after"]);
        net.Raft(1).Status.SoftState.Leader.ShouldBe(leader.Id);
    }
}
