using NodeNomad.Core.Cluster;
using NodeNomad.Core.KeyValue;
using NodeNomad.Node.Runtime;
using NodeNomad.Raft;
using Shouldly;

namespace NodeNomad.Node.Tests.Runtime;

/// <summary>A commit index that only moved is saved with the group's next write, whatever other groups saved meanwhile.</summary>
public class DeferredHardStateTests
{
    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(2)]
    public void a_deferred_commit_survives_a_turn_in_which_only_another_group_saved(int seed)
    {
        var cluster = new CoreHarness(seed, "a", "b", "c");
        var shardLeader = cluster.Settle();
        cluster.Tick(5);
        var metaLeader = cluster.Members.Values.First(m => m.Core!.Meta.IsLeader).Id;
        var follower = cluster.Members.Keys.First(id => id != shardLeader && id != metaLeader);
        var group = CoreHarness.ShardGroup;

        // A write reaches the follower, which saves and acknowledges it; the leader's word that it committed is held.
        var first = Write(cluster, shardLeader, "k1");
        cluster.Deliver(w => !(w.From == shardLeader && w.To == follower && w.Group == group && w.Message.Commit >= first));
        var commit = cluster.Wire.Where(w => w.From == shardLeader && w.To == follower && w.Group == group).ToList();
        commit.ShouldNotBeEmpty();

        // The meta group's next entry reaches the follower in the same turn: its batch holds a meta write, and the
        // shard's new commit index only rides along in memory.
        cluster.Members[metaLeader].Core!.Propose(cluster.NextTicket(), 0, MetaStateMachine.Encode(new RegisterNode(new NodeRecord("d", "d:1", "", 1, NodeRecord.Active))));
        cluster.Turn(metaLeader);
        var meta = cluster.Wire.Where(w => w.From == metaLeader && w.To == follower && w.Group == 0 && w.Message.Entries.Count > 0).ToList();
        meta.ShouldNotBeEmpty();
        var core = cluster.Members[follower].Core!;
        foreach (var message in commit.Concat(meta))
        {
            cluster.Wire.Remove(message);
            core.Step(message.Group, message.Message);
        }

        cluster.Turn(follower);
        core.Shards[0].Status.CommitIndex.ShouldBeGreaterThanOrEqualTo(first);

        // The shard's next write is saved: the commit index deferred before must be in it.
        Write(cluster, shardLeader, "k2");
        cluster.Deliver(w => w.Group == group && w.To == follower && w.Message.Entries.Count > 0);
        cluster.Members[follower].Log.Recover().Groups[group].HardState.Commit.ShouldBeGreaterThanOrEqualTo(first);
    }

    private static ulong Write(CoreHarness cluster, string leader, string key)
    {
        var core = cluster.Members[leader].Core!;
        var index = core.Shards[0].Status.LastIndex + 1;
        core.Propose(cluster.NextTicket(), CoreHarness.ShardGroup, KvCommandCodec.Encode(new SetCommand(key, "v", null, 1)));
        cluster.Turn(leader);
        return index;
    }
}
