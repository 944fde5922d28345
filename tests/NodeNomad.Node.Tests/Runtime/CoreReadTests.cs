using NodeNomad.Node.Runtime;
using NodeNomad.Raft;
using Shouldly;

namespace NodeNomad.Node.Tests.Runtime;

/// <summary>How the node core ends linearizable reads that can no longer be confirmed, or whose answer is not theirs.</summary>
public class CoreReadTests
{
    [Fact]
    public void reads_a_leader_takes_in_one_turn_share_one_heartbeat_round()
    {
        var cluster = new CoreHarness("a", "b", "c");
        var leader = cluster.Settle();
        var core = cluster.Members[leader].Core!;
        cluster.Wire.Clear();

        var tickets = Enumerable.Range(0, 5).Select(_ => cluster.NextTicket()).ToList();
        foreach (var ticket in tickets)
        {
            core.Read(ticket, CoreHarness.ShardGroup);
        }

        cluster.Turn(leader);
        cluster.Wire.Count(w => w.Group == CoreHarness.ShardGroup && w.Message.Type == MessageType.Heartbeat)
            .ShouldBe(2, "one heartbeat per follower for the five reads, not one per read");
        cluster.Deliver();
        foreach (var ticket in tickets)
        {
            cluster.Completed[ticket].Kind.ShouldBe(OutcomeKind.Done);
        }
    }

    [Fact]
    public void reads_a_follower_takes_in_one_turn_ask_its_leader_once()
    {
        var cluster = new CoreHarness("a", "b", "c");
        var leader = cluster.Settle();
        var follower = cluster.Members.Keys.First(id => id != leader);
        var core = cluster.Members[follower].Core!;
        cluster.Wire.Clear();

        var tickets = Enumerable.Range(0, 4).Select(_ => cluster.NextTicket()).ToList();
        foreach (var ticket in tickets)
        {
            core.Read(ticket, CoreHarness.ShardGroup);
        }

        cluster.Turn(follower);
        cluster.Wire.ShouldHaveSingleItem().Message.Type.ShouldBe(MessageType.ReadIndex);
        cluster.Deliver();
        foreach (var ticket in tickets)
        {
            cluster.Completed[ticket].Kind.ShouldBe(OutcomeKind.Done);
        }
    }

    [Fact]
    public void a_leader_that_steps_down_without_a_new_term_fails_its_pending_read_at_once()
    {
        var cluster = new CoreHarness("a", "b", "c");
        var leader = cluster.Settle();
        var core = cluster.Members[leader].Core!;
        var term = core.Shards[0].Status.Term;

        // Cut off from its followers, the leader cannot confirm the read; check-quorum then makes it step down in
        // the same term (nobody else campaigns: only it ticks).
        var ticket = cluster.NextTicket();
        core.Read(ticket, CoreHarness.ShardGroup);
        cluster.Turn(leader);
        cluster.Completed.ShouldNotContainKey(ticket);
        cluster.Tick(30, deliver: _ => false, leader);

        core.Shards[0].Status.Role.ShouldNotBe(RaftRole.Leader);
        core.Shards[0].Status.Term.ShouldBe(term, "the step-down came without a new term");
        cluster.Completed.ShouldContainKey(ticket);
        cluster.Completed[ticket].Kind.ShouldBe(OutcomeKind.Unavailable);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(4)]
    [InlineData(5)]
    public void a_read_answer_meant_for_a_previous_life_is_not_taken_by_the_restarted_replica(int seed)
    {
        var cluster = new CoreHarness(seed, "a", "b", "c");
        var leader = cluster.Settle();
        var follower = cluster.Members.Keys.First(id => id != leader);

        // The follower asks its leader to confirm a read; the leader's answer is held on the wire.
        cluster.Members[follower].Core!.Read(cluster.NextTicket(), CoreHarness.ShardGroup);
        cluster.Turn(follower);
        cluster.Deliver(w => w.Message.Type != MessageType.ReadIndexResponse);
        var stale = cluster.Wire.Single(w => w.To == follower && w.Message.Type == MessageType.ReadIndexResponse);
        cluster.Wire.Remove(stale);

        // Meanwhile the leader commits a write, and the follower restarts and learns who leads.
        var write = cluster.NextTicket();
        cluster.Members[leader].Core!.Propose(write, CoreHarness.ShardGroup, Core.KeyValue.KvCommandCodec.Encode(new Core.KeyValue.SetCommand("k", "v", null, 1)));
        cluster.Turn(leader);
        cluster.Start(follower);
        for (var i = 0; i < 100 && (cluster.Members[follower].Core!.Shards.GetValueOrDefault(0)?.Status.LeaderId is null || !cluster.Completed.ContainsKey(write)); i++)
        {
            cluster.Tick(1, deliver: w => w.Message.Type != MessageType.ReadIndexResponse);
        }

        cluster.Completed[write].Kind.ShouldBe(OutcomeKind.Done);
        cluster.Members[follower].Core!.Shards[0].Status.LeaderId.ShouldBe(leader);

        // The new life's first read, whose own request is held; the previous life's answer arrives first.
        var core = cluster.Members[follower].Core!;
        var ticket = cluster.NextTicket();
        core.Read(ticket, CoreHarness.ShardGroup);
        cluster.Turn(follower);
        core.Step(stale.Group, stale.Message);
        cluster.Turn(follower);
        cluster.Completed.ShouldNotContainKey(ticket, "an answer to a read of the previous life confirms nothing of this one");

        cluster.Deliver();
        cluster.Completed[ticket].Kind.ShouldBe(OutcomeKind.Done);
    }

    [Fact]
    public void a_followers_read_is_judged_at_the_time_its_leader_vouched_for_not_at_its_own_clock()
    {
        var cluster = new CoreHarness(0, "a", "b", "c");
        var leader = cluster.Settle();
        var follower = cluster.Members.Keys.First(id => id != leader);

        // The follower's clock is far behind the leader's: judged by it, a key expired at the leader would still live.
        var leaderTime = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() + 3_600_000;
        cluster.Members[leader].Core!.SetTime(leaderTime);
        cluster.Members[follower].Core!.SetTime(leaderTime - 60_000);
        var ticket = cluster.NextTicket();
        cluster.Members[follower].Core!.Read(ticket, CoreHarness.ShardGroup);
        cluster.Turn(follower);
        cluster.Deliver();

        cluster.Completed[ticket].Kind.ShouldBe(OutcomeKind.Done);
        cluster.Completed[ticket].ReadTime.ShouldBe(leaderTime);
    }
}
