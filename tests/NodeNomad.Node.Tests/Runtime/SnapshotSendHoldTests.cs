using NodeNomad.Core.KeyValue;
using NodeNomad.Raft;
using Shouldly;

namespace NodeNomad.Node.Tests.Runtime;

/// <summary>
/// A leader sending a replica its snapshot does not compact past it until the replica has it (up to a bound): the
/// replica then catches up from the log, where compacting would have made it need another snapshot, and another.
/// </summary>
public class SnapshotSendHoldTests
{
    private const int Threshold = 20;

    [Fact]
    public void a_leader_keeps_the_entries_after_the_snapshot_it_sends_and_the_replica_needs_only_that_one()
    {
        var cluster = new CoreHarness(0, Threshold, "a", "b", "c");
        var leaderId = cluster.Settle();
        var leader = cluster.Members[leaderId].Core!;
        var behind = cluster.Members.Keys.First(id => id != leaderId);
        bool Cut((string From, string To, ulong Group, Message Message) w) =>
            w.Group == CoreHarness.ShardGroup && (w.To == behind || w.From == behind);

        // The replica misses more than a threshold of entries, which the leader compacts away.
        Write(cluster, leaderId, 0, Threshold * 2, deliver: w => !Cut(w));
        cluster.Wire.RemoveAll(w => Cut(w));
        var compacted = leader.Shards[0].SnapshotIndex;
        compacted.ShouldBeGreaterThan(0, "the leader compacted while the replica was cut off");

        // Reconnected, it is sent the snapshot; held on the wire, the send is in flight while writes go on.
        cluster.Tick(3, deliver: w => !(w.To == behind && w.Message.Type == MessageType.Snapshot));
        var snapshots = cluster.Wire.Where(w => w.To == behind && w.Message.Type == MessageType.Snapshot).ToList();
        snapshots.ShouldNotBeEmpty("the leader sends the replica a snapshot");
        Write(cluster, leaderId, 1000, Threshold * 3, deliver: w => !(w.To == behind && w.Message.Type == MessageType.Snapshot));
        leader.Shards[0].SnapshotIndex.ShouldBe(compacted, "no compaction while the snapshot is being sent");

        // Delivered, the snapshot is the only one the replica needs: the rest comes from the log.
        var sent = 0;
        cluster.Tick(10, deliver: w =>
        {
            if (w.To == behind && w.Message.Type == MessageType.Snapshot)
            {
                sent++;
            }

            return true;
        });
        sent.ShouldBe(1, "one snapshot, then the log");
        cluster.Members[behind].Core!.Shards[0].Applied.ShouldBe(leader.Shards[0].Applied);
    }

    [Fact]
    public void a_send_that_never_ends_holds_compaction_only_up_to_its_bound()
    {
        var cluster = new CoreHarness(0, Threshold, "a", "b", "c");
        var leaderId = cluster.Settle();
        var leader = cluster.Members[leaderId].Core!;
        var behind = cluster.Members.Keys.First(id => id != leaderId);
        bool Cut((string From, string To, ulong Group, Message Message) w) =>
            w.Group == CoreHarness.ShardGroup && (w.To == behind || w.From == behind);
        Write(cluster, leaderId, 0, Threshold * 2, deliver: w => !Cut(w));
        cluster.Wire.RemoveAll(w => Cut(w));
        cluster.Tick(3, deliver: w => !(w.To == behind && w.Message.Type == MessageType.Snapshot));
        var held = leader.Shards[0].SnapshotIndex;

        // The snapshot never arrives (and no report of its failure either): past the bound the leader compacts anyway.
        Write(cluster, leaderId, 1000, Threshold * (GroupReplicaBound + 2), deliver: w => !(w.To == behind && w.Message.Type == MessageType.Snapshot));

        leader.Shards[0].SnapshotIndex.ShouldBeGreaterThan(held, "a transfer that never ends does not grow the log without limit");
    }

    private static int GroupReplicaBound => NodeNomad.Node.Runtime.GroupReplica.SnapshotSendHold;

    /// <summary>Writes <paramref name="count"/> keys through the shard's leader, delivering what <paramref name="deliver"/> picks after each.</summary>
    private static void Write(CoreHarness cluster, string leaderId, int from, int count, Func<(string From, string To, ulong Group, Message Message), bool> deliver)
    {
        var leader = cluster.Members[leaderId].Core!;
        for (var i = from; i < from + count; i++)
        {
            leader.Propose(cluster.NextTicket(), CoreHarness.ShardGroup, KvCommandCodec.Encode(new SetCommand($"k{i}", "v", null, 1)));
            cluster.Turn(leaderId);
            cluster.Deliver(deliver);
        }
    }
}
