using System.Text;
using NodeNomad.Raft.Tests.Harness;

namespace NodeNomad.Raft.Tests.Paper;

/// <summary>§8 read-only queries: ReadIndex (with a heartbeat round) and lease reads.</summary>
public class ReadTests
{
    private static byte[] Ctx(string s) => Encoding.UTF8.GetBytes(s);

    [Fact]
    public void read_index_on_the_leader_returns_the_commit_index_after_a_heartbeat_round()
    {
        var net = new RaftNetwork(3);
        net.Elect(1);
        net.Propose(1, "a");
        net.Stabilize();

        net.Raft(1).ReadIndex(Ctx("r1"));
        net.ProcessAll();
        net[1].ReadStates.ShouldBeEmpty();
        net.Pending.ShouldAllBe(m => m.Type == MessageType.Heartbeat);

        net.Stabilize();
        var read = net[1].ReadStates.Single();
        read.Index.ShouldBe(net.Raft(1).Status.HardState.Commit);
        Encoding.UTF8.GetString(read.Context.Span).ShouldBe("r1");
    }

    [Fact]
    public void reads_that_reach_the_leader_together_share_one_heartbeat_round()
    {
        var net = new RaftNetwork(3);
        net.Elect(1);
        net.Propose(1, "a");
        net.Stabilize();

        net.Raft(3).ReadIndex(Ctx("f"));
        net.ProcessAll();
        net.Pending.ShouldHaveSingleItem().Type.ShouldBe(MessageType.ReadIndex);

        // Two reads of the leader's own and the follower's, all before the leader's next Ready.
        net.Raft(1).ReadIndex(Ctx("r1"));
        net.Raft(1).ReadIndex(Ctx("r2"));
        net.DeliverPending();

        var heartbeats = net.Pending.Where(m => m.Type == MessageType.Heartbeat).ToList();
        heartbeats.Select(m => m.To).Order().ShouldBe([2UL, 3UL]);
        // The newest context (the follower's read arrived last) confirms the two before it.
        heartbeats.Select(m => Encoding.UTF8.GetString(m.Context.Span)).ShouldBe(["f", "f"]);

        net.Stabilize();
        net[1].ReadStates.Select(r => Encoding.UTF8.GetString(r.Context.Span)).ShouldBe(["r1", "r2"]);
        net[3].ReadStates.Single().Index.ShouldBe(net.Raft(1).Status.HardState.Commit);
    }

    [Fact]
    public void read_index_on_a_follower_is_answered_by_the_leader()
    {
        var net = new RaftNetwork(3);
        net.Elect(1);
        net.Propose(1, "a");
        net.Stabilize();

        net.Raft(3).ReadIndex(Ctx("f"));
        net.Stabilize();
        var read = net[3].ReadStates.Single();
        read.Index.ShouldBe(net.Raft(1).Status.HardState.Commit);
        Encoding.UTF8.GetString(read.Context.Span).ShouldBe("f");
        net[1].ReadStates.ShouldBeEmpty();
    }

    [Fact]
    public void a_deposed_leader_that_cannot_reach_a_quorum_produces_no_read_state()
    {
        var net = new RaftNetwork(3, RaftNetwork.NoLease);
        net.Elect(1);
        net.Isolate(1);
        net.Elect(2);

        net.Raft(1).ReadIndex(Ctx("stale"));
        net.Stabilize();
        net.Heal();
        net.Stabilize();
        net.Tick(1, 30);
        net.Stabilize();

        net[1].ReadStates.ShouldBeEmpty();
        net.Raft(1).Status.SoftState.Role.ShouldBe(RaftRole.Follower);
    }

    [Fact]
    public void a_new_leader_defers_reads_until_it_has_committed_an_entry_of_its_term()
    {
        var net = new RaftNetwork(3);
        net.Drop = m => m.Type == MessageType.AppendResponse;
        net.Elect(1);
        net.Raft(1).Status.HardState.Commit.ShouldBe(3UL);

        net.Raft(1).ReadIndex(Ctx("early"));
        net.Stabilize();
        net[1].ReadStates.ShouldBeEmpty();

        net.Drop = null;
        net.TickAll();
        net.Stabilize();
        net[1].ReadStates.Single().Index.ShouldBe(4UL);
    }

    [Fact]
    public void lease_based_reads_are_answered_at_once_by_the_leader()
    {
        var net = LeaseLeaderWithOneWrite();

        // The lease starts with the first heartbeats of the term that a quorum acknowledges.
        net.Tick(1);
        net.Stabilize();
        net.Raft(1).ReadIndex(Ctx("lease"));
        net.ProcessAll();
        net[1].ReadStates.Single().Index.ShouldBe(5UL);
        net.Pending.ShouldBeEmpty();
    }

    [Fact]
    public void lease_based_reads_without_check_quorum_are_refused_at_construction()
    {
        Should.Throw<ArgumentException>(() => new RaftNode(
            RaftNetwork.Config(1) with { ReadOnly = ReadOnlyOption.LeaseBased, CheckQuorum = false },
            RaftBootstrap.New(1, 2, 3)));
    }

    [Fact]
    public void a_single_voter_answers_reads_at_once()
    {
        var net = new RaftNetwork(1);
        net.Elect(1);
        net.Propose(1, "a");
        net.Raft(1).ReadIndex(Ctx("solo"));
        net.ProcessAll();
        net[1].ReadStates.Single().Index.ShouldBe(3UL);
    }

    [Fact]
    public void a_voter_left_alone_by_a_membership_change_answers_reads_only_once_it_committed_an_entry_of_its_term()
    {
        // §8: "a leader must have the latest information on which entries are committed"; with one voter left that
        // still takes an entry of its own term. {1,2} -> {2}: 1 commits the removal and a write, 2 learns only that
        // the removal committed, and leads alone with the write in its log but not yet known committed.
        var net = new RaftNetwork(2);
        net.Elect(1);
        net.Raft(1).ProposeConfChange(new ConfChange(ConfChangeType.RemoveNode, 1)).Accepted.ShouldBeTrue();
        var write = net.Propose(1, "w");
        net.DeliverPending();
        net.DeliverPending();
        net.AppliedData(1).ShouldBe(["w"]);
        var removal = write.Index - 1;
        net.DeliverPending(drop: m => m.Commit > removal);
        net.Raft(2).Status.HardState.Commit.ShouldBe(removal);
        net.Raft(2).Status.ConfState.Voters.ShouldBe([2UL]);

        net.Raft(2).Campaign();
        net.Raft(2).Status.SoftState.Role.ShouldBe(RaftRole.Leader);
        net.Raft(2).ReadIndex(Ctx("after-w"));
        net.Stabilize();

        net[2].ReadStates.Single().Index.ShouldBeGreaterThanOrEqualTo(write.Index);
    }

    [Fact]
    public void a_followers_read_carries_the_time_the_leader_vouches_for_not_its_own()
    {
        var net = new RaftNetwork(3);
        net.Elect(1);
        net.Propose(1, "a");
        net.Stabilize();
        net.Raft(1).ObserveTime(5_000);
        net.Raft(3).ObserveTime(9_000);

        net.Raft(3).ReadIndex(Ctx("f"));
        var delivered = net.Stabilize();

        delivered.Single(d => d.Message.Type == MessageType.ReadIndexResponse).Message.Timestamp.ShouldBe(5_000L);
        net[3].ReadStates.Single().Timestamp.ShouldBe(5_000L);
    }

    [Fact]
    public void a_leader_stamps_a_read_with_its_time_when_the_request_arrived()
    {
        var net = new RaftNetwork(3);
        net.Elect(1);
        net.Raft(1).ObserveTime(1_000);
        net.Raft(1).ReadIndex(Ctx("r"));
        net.ProcessAll();

        // Confirmed later, the read is still vouched for at the time the leader handled it.
        net.Raft(1).ObserveTime(2_000);
        net.Stabilize();

        net[1].ReadStates.Single().Timestamp.ShouldBe(1_000L);
    }

    [Fact]
    public void the_read_stamps_of_one_leader_never_go_backwards_even_when_its_clock_does()
    {
        var net = new RaftNetwork(3);
        net.Elect(1);
        foreach (var (time, context) in new[] { (1_000L, "a"), (900L, "b"), (1_100L, "c") })
        {
            net.Raft(1).ObserveTime(time);
            net.Raft(1).ReadIndex(Ctx(context));
            net.Stabilize();
        }

        net[1].ReadStates.Select(r => r.Timestamp).ShouldBe([1_000L, 1_000L, 1_100L]);
    }

    [Fact]
    public void a_leader_that_steps_down_by_check_quorum_reports_its_unconfirmed_read_dropped_and_never_answers_it()
    {
        var net = new RaftNetwork(3);
        net.Elect(1);
        var term = net.Raft(1).Status.HardState.Term;
        net.Isolate(1);
        net.Raft(1).ReadIndex(Ctx("lost"));
        net.Stabilize();

        // Two check-quorum rounds: the first clears what it heard before the partition, the second finds no quorum.
        net.Tick(1, 2 * RaftNetwork.Config(1).ElectionTick);
        net.Raft(1).Status.SoftState.ShouldBe(new SoftState(0, RaftRole.Follower));
        net.Raft(1).Status.HardState.Term.ShouldBe(term);
        net[1].DroppedReads.ShouldBe(["lost"]);

        net.SettleAndCommitEverywhere();
        net[1].ReadStates.ShouldBeEmpty();
        net[1].DroppedReads.ShouldBe(["lost"]);
    }

    [Fact]
    public void a_leader_that_removes_itself_reports_its_unconfirmed_read_dropped()
    {
        var net = new RaftNetwork(3);
        net.Elect(1);
        net.Raft(1).ReadIndex(Ctx("lost"));
        net.Raft(1).ProposeConfChange(new ConfChange(ConfChangeType.RemoveNode, 1)).Accepted.ShouldBeTrue();
        net.Drop = m => m.Type == MessageType.HeartbeatResponse;
        net.Stabilize();

        net.Raft(1).Status.ConfState.Voters.ShouldBe([2UL, 3UL]);
        net.Raft(1).Status.SoftState.Role.ShouldBe(RaftRole.Follower);
        net[1].DroppedReads.ShouldBe(["lost"]);
        net[1].ReadStates.ShouldBeEmpty();
    }

    [Fact]
    public void a_lease_leader_that_steps_down_reports_the_reads_awaiting_its_lease_dropped()
    {
        var net = LeaseLeaderWithOneWrite();
        net.Isolate(1);
        net.Raft(1).ReadIndex(Ctx("lost"));
        net.ProcessAll();
        net[1].ReadStates.ShouldBeEmpty();

        net.Tick(1, 2 * RaftNetwork.Config(1).ElectionTick);
        net.Raft(1).Status.SoftState.Role.ShouldBe(RaftRole.Follower);
        net[1].DroppedReads.ShouldBe(["lost"]);
    }

    [Fact]
    public void a_read_on_a_replica_that_knows_no_leader_is_reported_dropped_at_once()
    {
        var net = new RaftNetwork(3);
        net.Raft(2).ReadIndex(Ctx("nowhere"));
        net.ProcessAll();

        net[2].DroppedReads.ShouldBe(["nowhere"]);
        net.Pending.ShouldBeEmpty();
    }

    [Fact]
    public void several_pending_reads_are_confirmed_by_the_latest_heartbeat_round()
    {
        var net = new RaftNetwork(3);
        net.Elect(1);
        net.Raft(1).ReadIndex(Ctx("a"));
        net.ProcessAll();
        net.Pending.Clear();
        net.Raft(1).ReadIndex(Ctx("b"));
        net.Stabilize();

        net[1].ReadStates.Select(r => Encoding.UTF8.GetString(r.Context.Span)).ShouldBe(["a", "b"]);
    }

    [Fact]
    public void a_new_leader_answers_lease_reads_only_once_a_quorum_acknowledged_its_heartbeats()
    {
        var net = LeaseLeaderWithOneWrite();

        net.Raft(1).ReadIndex(Ctx("early"));
        net.ProcessAll();
        net[1].ReadStates.ShouldBeEmpty();

        net.Tick(1);
        net.Stabilize();
        net[1].ReadStates.Single().Context.ToArray().ShouldBe(Ctx("early"));
    }

    [Fact]
    public void an_isolated_leader_stops_answering_lease_reads_before_its_followers_can_elect_another()
    {
        var net = LeaseLeaderWithOneWrite();
        net.Tick(1);
        net.Stabilize();

        // Cut off, the leader keeps ticking; each follower refuses other candidates for an election timeout after
        // the last heartbeat it received. The lease must lapse before that.
        net.Isolate(1);
        var electionTick = RaftNetwork.Config(1).ElectionTick;
        for (var t = 0; t < electionTick - 2; t++)
        {
            net.Tick(1);
            net.ProcessAll();
        }

        net.Raft(1).ReadIndex(Ctx("late"));
        net.ProcessAll();
        net[1].ReadStates.Select(r => Encoding.UTF8.GetString(r.Context.Span)).ShouldNotContain("late");
    }

    [Fact]
    public void a_leader_that_sent_timeout_now_serves_no_lease_read_for_an_election_timeout_even_once_the_transfer_is_abandoned()
    {
        // The transferee campaigns with the transfer marker, which lets its votes through the followers' leases: until
        // that campaign is over, acknowledged heartbeats no longer prove that no other leader can be elected.
        var net = LeaseLeaderWithOneWrite();
        net.Tick(1);
        net.Stabilize();
        var electionTick = RaftNetwork.Config(1).ElectionTick;

        net.Drop = m => m.To == 2 && m.Type == MessageType.Append;
        net.Propose(1, "b");
        net.Stabilize();
        net.Raft(1).TransferLeadership(2);
        for (var t = 0; t < electionTick / 2; t++)
        {
            net.Tick(1);
            net.Stabilize();
        }

        // The transferee catches up late in the transfer's timeout; its TimeoutNow is lost (or only delayed).
        net.Drop = m => m.Type == MessageType.TimeoutNow;
        var ticksSinceTimeoutNow = 0;
        net.Tick(1);
        net.Stabilize().ShouldContain(d => d.Message.Type == MessageType.TimeoutNow);
        while (net.Raft(1).Status.LeadTransferee != 0)
        {
            net.Tick(1);
            net.Stabilize();
            ticksSinceTimeoutNow++;
        }

        ticksSinceTimeoutNow.ShouldBeLessThan(electionTick);
        net.Raft(1).Status.SoftState.Role.ShouldBe(RaftRole.Leader);
        net.Raft(1).ReadIndex(Ctx("after-abort"));
        net.Stabilize();
        net[1].ReadStates.ShouldBeEmpty();

        while (net[1].ReadStates.Count == 0)
        {
            net.Tick(1);
            net.Stabilize();
            ticksSinceTimeoutNow++;
        }

        ticksSinceTimeoutNow.ShouldBeGreaterThanOrEqualTo(electionTick);
    }

    /// <summary>Three replicas with lease reads, replica 1 elected and one write committed everywhere.</summary>
    private static RaftNetwork LeaseLeaderWithOneWrite()
    {
        var net = new RaftNetwork(3, id => RaftNetwork.Config(id) with { ReadOnly = ReadOnlyOption.LeaseBased });
        net.Elect(1);
        net.Propose(1, "a");
        net.Stabilize();
        return net;
    }
}
