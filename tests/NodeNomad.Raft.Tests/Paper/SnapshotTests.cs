using NodeNomad.Raft.Tests.Harness;

namespace NodeNomad.Raft.Tests.Paper;

/// <summary>§7 Log compaction: snapshots taken by the host, and InstallSnapshot to a lagging follower.</summary>
public class SnapshotTests
{
    private static RaftNetwork LaggingFollowerAfterCompaction()
    {
        var net = new RaftNetwork(3, RaftNetwork.NoLease);
        net.Elect(1);
        net.Isolate(3);
        for (var i = 0; i < 10; i++)
        {
            net.Propose(1, $"e{i}");
        }

        net.Stabilize();
        net[1].Compact(net[1].AppliedIndex);
        net.Heal();
        return net;
    }

    [Fact]
    public void a_follower_behind_the_leaders_first_index_catches_up_from_a_snapshot()
    {
        var net = LaggingFollowerAfterCompaction();
        var leaderLast = net.Raft(1).Status.LastIndex;

        net.TickAll();
        var sent = net.Stabilize().Select(d => d.Message).ToList();

        sent.ShouldContain(m => m.Type == MessageType.Snapshot && m.To == 3);
        net.Raft(3).Status.HardState.Commit.ShouldBe(leaderLast);
        net.AppliedData(3).ShouldBe(net.AppliedData(1));
        net.Raft(1).Status.Progress[3].State.ShouldBe("replicate");

        net.Propose(1, "after");
        net.Stabilize();
        net.AppliedData(3)[^1].ShouldBe("after");
    }

    [Fact]
    public void a_restored_snapshot_is_handed_to_the_host_with_its_membership()
    {
        var net = LaggingFollowerAfterCompaction();
        net.TickAll();
        var snapshotMessage = net.DeliverUntil(m => m.Type == MessageType.Snapshot);

        var follower = net.Raft(3);
        follower.Step(snapshotMessage);
        var ready = follower.Ready();
        ready.Snapshot.ShouldNotBeNull();
        ready.Snapshot.Metadata.Index.ShouldBe(snapshotMessage.Snapshot!.Metadata.Index);
        ready.MustSync.ShouldBeTrue();
        ready.CommittedEntries.ShouldBeEmpty();
        follower.Status.ConfState.Voters.ShouldBe([1UL, 2UL, 3UL]);
    }

    [Fact]
    public void a_follower_that_already_holds_the_snapshots_last_entry_only_moves_its_commit_index()
    {
        var net = new RaftNetwork(3);
        net.Elect(1);
        net.Propose(1, "a");
        net.Stabilize();
        net[1].Compact(net[1].AppliedIndex);
        var snapshot = net[1].Storage.Snapshot!;

        var follower = net.Raft(2);
        follower.Step(new Message { Type = MessageType.Snapshot, From = 1, To = 2, Term = net.Raft(1).Status.HardState.Term, Snapshot = snapshot });
        var ready = follower.Ready();
        ready.Snapshot.ShouldBeNull();
        ready.Messages.Single().Index.ShouldBe(snapshot.Metadata.Index);
    }

    [Fact]
    public void a_failed_snapshot_send_reverts_the_follower_to_probing()
    {
        var net = LaggingFollowerAfterCompaction();
        net.TickAll();
        net.DeliverUntil(m => m.Type == MessageType.Snapshot);
        net.Pending.Clear();
        net.Raft(1).Status.Progress[3].State.ShouldBe("snapshot");

        net.Raft(1).ReportSnapshot(3, succeeded: false);
        net.Raft(1).Status.Progress[3].State.ShouldBe("probe");

        net.TickAll();
        net.Stabilize();
        net.AppliedData(3).ShouldBe(net.AppliedData(1));
    }

    [Fact]
    public void compacting_beyond_what_was_applied_is_refused()
    {
        var net = new RaftNetwork(3);
        net.Elect(1);
        var last = net.Raft(1).Status.LastIndex;
        var snapshot = new Snapshot(new SnapshotMetadata(last + 5, 2, ConfState.OfVoters(1, 2, 3)), Array.Empty<byte>());
        Should.Throw<ArgumentException>(() => net.Raft(1).Compact(snapshot));
    }

    [Fact]
    public void a_replica_restarts_from_its_snapshot_and_the_entries_after_it()
    {
        var net = new RaftNetwork(3);
        net.Elect(1);
        net.Propose(1, "a");
        net.Propose(1, "b");
        net.Stabilize();
        net[2].Compact(net[2].AppliedIndex - 1);
        net.Crash(2);
        net.Restart(2);

        net.AppliedData(2).ShouldBe(["a", "b"]);
        net.Raft(2).Status.ConfState.Voters.ShouldBe([1UL, 2UL, 3UL]);
        net.Propose(1, "c");
        net.Stabilize();
        net.AppliedData(2).ShouldBe(["a", "b", "c"]);
    }
}
