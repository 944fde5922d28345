using NodeNomad.Raft.Tests.Harness;

namespace NodeNomad.Raft.Tests.Paper;

/// <summary>§5.2 Leader election, and Figure 3's election safety.</summary>
public class ElectionTests
{
    [Fact]
    public void a_follower_that_hears_from_no_leader_campaigns_within_twice_the_election_timeout()
    {
        var net = new RaftNetwork(3);
        for (var i = 0; i < 20 && !net.Leaders.Any(); i++)
        {
            net.TickAll();
            net.Stabilize();
        }

        net.Leaders.Count().ShouldBe(1);
    }

    [Fact]
    public void a_candidate_that_wins_a_majority_becomes_leader_and_appends_an_empty_entry_of_its_term()
    {
        var net = new RaftNetwork(3);
        net.Elect(1);

        var status = net.Raft(1).Status;
        status.SoftState.Role.ShouldBe(RaftRole.Leader);
        // The group starts in term 1 with its three initial members as committed entries 1-3.
        status.HardState.Term.ShouldBe(2UL);
        status.LastIndex.ShouldBe(4UL);
        net.Raft(1).Log.EntryAt(4).ShouldBe(new Entry(4, 2, EntryType.Normal, default));
        net.Raft(2).Status.SoftState.Leader.ShouldBe(1UL);
        net.Raft(3).Status.HardState.Commit.ShouldBe(4UL);
    }

    [Fact]
    public void a_single_voter_group_elects_itself_and_commits_once_its_entries_are_persisted()
    {
        var net = new RaftNetwork(1);
        net.Raft(1).Campaign();
        net.Raft(1).Status.SoftState.Role.ShouldBe(RaftRole.Leader);
        net.Raft(1).Status.HardState.Commit.ShouldBe(1UL);
        net.Raft(1).Status.LastIndex.ShouldBe(2UL);

        net.ProcessAll();
        net.Raft(1).Status.HardState.Commit.ShouldBe(2UL);
        net.Propose(1, "x").Accepted.ShouldBeTrue();
        net.AppliedData(1).ShouldBe(["x"]);
    }

    [Fact]
    public void at_most_one_leader_is_elected_per_term_under_random_message_loss()
    {
        for (var seed = 1; seed <= 20; seed++)
        {
            var random = new Random(seed);
            var net = new RaftNetwork(5, seed: seed) { Drop = _ => random.NextDouble() < 0.3 };
            for (var step = 0; step < 300; step++)
            {
                net.TickAll();
                net.DeliverPending();
            }

            // The checker throws on two leaders in one term; reaching here means none appeared.
            net.Nodes.Values.Max(n => n.Raft.Status.HardState.Term).ShouldBeGreaterThan(0UL, $"seed {seed}");
        }
    }

    [Fact]
    public void a_voter_grants_one_vote_per_term()
    {
        var net = new RaftNetwork(3);
        // Without pre-vote, 2 and 3 campaign in the same term; 1 hears 2 first.
        var raft = net.Raft(1);
        raft.Ready();
        raft.Step(new Message { Type = MessageType.Vote, From = 2, To = 1, Term = 2, Index = 3, LogTerm = 1 });
        raft.Step(new Message { Type = MessageType.Vote, From = 3, To = 1, Term = 2, Index = 3, LogTerm = 1 });
        var responses = raft.Ready().Messages;

        responses.Count.ShouldBe(2);
        responses[0].ShouldSatisfyAllConditions(m => m.To.ShouldBe(2UL), m => m.Reject.ShouldBeFalse());
        responses[1].ShouldSatisfyAllConditions(m => m.To.ShouldBe(3UL), m => m.Reject.ShouldBeTrue());
        raft.Status.HardState.Vote.ShouldBe(2UL);
    }

    [Fact]
    public void a_voter_refuses_a_candidate_whose_log_is_less_up_to_date()
    {
        var net = new RaftNetwork(3, RaftNetwork.NoLease);
        net.Elect(1);
        net.Propose(1, "a");
        net.Stabilize();

        // 3's last entry is 5/2; a candidate claiming 4/2 is behind it.
        var raft = net.Raft(3);
        raft.Step(new Message { Type = MessageType.Vote, From = 2, To = 3, Term = 5, Index = 4, LogTerm = 2 });
        var response = raft.Ready().Messages.Single();
        response.Type.ShouldBe(MessageType.VoteResponse);
        response.Reject.ShouldBeTrue();
    }

    [Fact]
    public void the_randomized_election_timeout_stays_within_one_to_two_election_timeouts()
    {
        for (var seed = 0; seed < 50; seed++)
        {
            var raft = new RaftNode(RaftNetwork.Config(1, seed) with { PreVote = false }, RaftBootstrap.New(1, 2, 3));
            // The initial members must be persisted and applied before anyone campaigns.
            raft.Advance(raft.Ready());
            raft.Advance(raft.Ready());
            var ticks = 0;
            while (raft.Status.SoftState.Role == RaftRole.Follower && ticks < 100)
            {
                raft.Tick();
                ticks++;
            }

            ticks.ShouldBeInRange(10, 19);
        }
    }

    [Fact]
    public void a_restarted_voter_remembers_its_vote_and_does_not_vote_twice_in_a_term()
    {
        var net = new RaftNetwork(3, id => RaftNetwork.Config(id) with { PreVote = false, CheckQuorum = false });
        net.Raft(2).Campaign();
        net.ProcessAll();
        // Deliver 2's vote request to 1 only; 1 votes and persists the vote.
        net.DeliverPending(m => m.To != 1);
        net[1].Storage.HardState.Vote.ShouldBe(2UL);

        net.Crash(1);
        net.Restart(1);
        net.Raft(1).Status.HardState.ShouldBe(new HardState(2, 2, 3));

        net.Raft(1).Step(new Message { Type = MessageType.Vote, From = 3, To = 1, Term = 2, Index = 3, LogTerm = 1 });
        var response = net.Raft(1).Ready().Messages.Single();
        response.Reject.ShouldBeTrue();
    }

    [Fact]
    public void a_candidate_that_learns_of_a_leader_in_its_term_steps_down()
    {
        var net = new RaftNetwork(3, id => RaftNetwork.Config(id) with { PreVote = false });
        net.Raft(2).Campaign();
        net.Raft(2).Status.SoftState.Role.ShouldBe(RaftRole.Candidate);
        net.Raft(2).Step(new Message { Type = MessageType.Append, From = 3, To = 2, Term = 2, Index = 3, LogTerm = 1 });

        net.Raft(2).Status.SoftState.ShouldBe(new SoftState(3, RaftRole.Follower));
    }
}
