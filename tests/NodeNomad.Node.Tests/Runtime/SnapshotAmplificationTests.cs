using NodeNomad.Core.KeyValue;

namespace NodeNomad.Node.Tests.Runtime;

/// <summary>
/// A snapshot rewrites the group's whole state. Once the state is large, a group takes its next snapshot only when the
/// log it has written since is at least half the last snapshot's size: small writes to a large shard no longer make
/// it rewrite the shard every threshold of entries.
/// </summary>
public class SnapshotAmplificationTests
{
    private const int Threshold = 20;

    [Fact]
    public void small_writes_to_a_large_state_wait_for_half_a_snapshot_of_log_then_snapshot()
    {
        var cluster = new CoreHarness(0, Threshold, "a", "b", "c");
        var leaderId = cluster.Settle();
        var group = cluster.Members[leaderId].Core!.Shards[0];

        // 200 values of 2 KB: the state, and so each snapshot, is about 400 KB.
        var large = new string('x', 2048);
        Write(cluster, leaderId, "large", 200, large);
        var afterFill = group.SnapshotIndex;
        afterFill.ShouldBeGreaterThan(0, "the large writes passed the threshold many times over");

        // Small writes: 100 bytes or so each in the log. Ten thresholds of them are far from 200 KB.
        Write(cluster, leaderId, "small", Threshold * 10, "v");
        group.SnapshotIndex.ShouldBeLessThan(afterFill + Threshold, "200 small entries are far less log than half a 400 KB snapshot");

        // Enough of them, and the snapshot comes: about 200 KB of log is a few thousand small entries (some 60 bytes each).
        Write(cluster, leaderId, "more", 8_000, "v");
        group.SnapshotIndex.ShouldBeGreaterThan(afterFill + (Threshold * 10), "once the log since is half the snapshot, it is taken");
    }

    private static void Write(CoreHarness cluster, string leaderId, string prefix, int count, string value)
    {
        var leader = cluster.Members[leaderId].Core!;
        for (var i = 0; i < count; i++)
        {
            leader.Propose(cluster.NextTicket(), CoreHarness.ShardGroup, KvCommandCodec.Encode(new SetCommand($"{prefix}{i % 200}", value, null, 1)));
            cluster.Turn(leaderId);
            cluster.Deliver(_ => true);
        }
    }
}
