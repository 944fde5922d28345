using NodeNomad.Contracts;
using NodeNomad.Core.Cluster;

namespace NodeNomad.Raft.Simulation.Tests;

/// <summary>The sharded simulation's meta state machine: the shard map, its epochs, and its snapshots.</summary>
public class ShardedMetaStateTests
{
    [Fact]
    public void a_new_cluster_places_each_shard_on_consecutive_nodes_and_the_ranges_cover_every_key()
    {
        var map = ShardedMetaState.Genesis(shards: 6, nodes: 5, replicationFactor: 3, firstPeer: 100).Placements;

        map.Select(placement => placement.Shard).ShouldBe([1, 2, 3, 4, 5, 6]);
        map.ShouldAllBe(placement => placement.Epoch == 1 && placement.Replicas.Select(replica => replica.Node).Distinct().Count() == 3);
        map[4].Replicas.Select(replica => replica.Node).ShouldBe([1UL, 2UL, 5UL]);
        map.SelectMany(placement => placement.Replicas.Select(replica => replica.Peer)).Distinct().Count().ShouldBe(18);
        map[0].Range.Start.ShouldBe(0UL);
        map[^1].Range.End.ShouldBe(ulong.MaxValue);
        foreach (var key in new[] { "a", "k1", "user:42" })
        {
            ShardedMetaState.ShardOf(map, KeyPosition.Of(key)).Range.Contains(KeyPosition.Of(key)).ShouldBeTrue();
        }
    }

    [Fact]
    public void a_move_applies_only_at_the_epoch_it_was_made_for_and_bumps_it()
    {
        var state = ShardedMetaState.Genesis(shards: 4, nodes: 5, replicationFactor: 3, firstPeer: 100);
        var before = state.Placements;
        var (node, peer) = before[1].Replicas[0];

        state.Apply(new ShardedMetaCommand(1, Shard: 2, ExpectedEpoch: 1, node, peer, AddedNode: 5, AddedPeer: 200)).ShouldBeTrue();
        state.Apply(new ShardedMetaCommand(2, Shard: 2, ExpectedEpoch: 1, node, peer, AddedNode: 1, AddedPeer: 201)).ShouldBeFalse();

        var moved = state.Placements[1];
        moved.Epoch.ShouldBe(2UL);
        moved.IsOn(node).ShouldBeFalse();
        moved.Replicas.ShouldContain((5UL, 200UL));
        moved.Replicas.Count.ShouldBe(3);
        before[1].Epoch.ShouldBe(1UL);
    }

    [Fact]
    public void a_snapshot_restores_the_same_map()
    {
        var state = ShardedMetaState.Genesis(shards: 5, nodes: 5, replicationFactor: 3, firstPeer: 100);
        var (node, peer) = state.Placements[3].Replicas[2];
        state.Apply(new ShardedMetaCommand(1, 4, 1, node, peer, 2, 300));

        var restored = ShardedMetaState.Restore(state.Serialize());

        restored.Fingerprint().ShouldBe(state.Fingerprint());
        restored.Placements[3].ToString().ShouldBe(state.Placements[3].ToString());
    }

    [Fact]
    public void a_meta_command_survives_encoding_and_carries_its_id_where_the_safety_monitor_reads_it()
    {
        var command = new ShardedMetaCommand(77, 3, 9, 1, 101, 4, 250);
        var bytes = command.Encode();

        ShardedMetaCommand.Decode(bytes).ShouldBe(command);
        KvCommand.IdOf(bytes).ShouldBe(77UL);
    }
}
