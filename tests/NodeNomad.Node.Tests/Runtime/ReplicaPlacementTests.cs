using NodeNomad.Core.Cluster;
using NodeNomad.Node.Runtime;
using Shouldly;

namespace NodeNomad.Node.Tests.Runtime;

/// <summary>Which replicas an applied map makes a node create, and which of them found their group.</summary>
public class ReplicaPlacementTests
{
    private static readonly ShardRecord Founded = new(0, 0, ulong.MaxValue / 2, ["a", "b", "c"], [], ShardRecord.FirstEpoch);

    private static ClusterMap MapOf(params ShardRecord[] shards) => new("c", shards.Length, 3, [], shards, 1);

    [Fact]
    public void a_founding_replica_of_a_new_shard_writes_the_first_membership()
    {
        var missing = ReplicaPlacement.Missing(MapOf(Founded), "b", _ => false).ShouldHaveSingleItem();
        missing.InitialMembers.ShouldNotBeNull();
        missing.InitialMembers.Voters.ShouldBe(new[] { "a", "b", "c" }.Select(n => ReplicaIds.For(n)).Order());
    }

    [Fact]
    public void a_replica_added_to_a_group_that_moved_on_starts_empty_and_learns_its_membership_from_the_leader()
    {
        // Shard 0 moved: d replaced c (epoch 3). d's replica, and c's if it were created again, must not write a
        // membership of their own: the leader's log already holds other membership entries at those indexes.
        var moved = Founded with { Replicas = ["a", "b", "d"], Epoch = 3 };
        ReplicaPlacement.Missing(MapOf(moved), "d", _ => false).ShouldHaveSingleItem().InitialMembers.ShouldBeNull();
        ReplicaPlacement.Missing(MapOf(moved), "a", _ => false).ShouldHaveSingleItem().InitialMembers.ShouldBeNull();
    }

    [Fact]
    public void a_learner_being_added_starts_empty()
    {
        var joining = Founded with { Learners = ["d"] };
        ReplicaPlacement.Missing(MapOf(joining), "d", _ => false).ShouldHaveSingleItem().InitialMembers.ShouldBeNull();
    }

    [Fact]
    public void shards_the_node_hosts_already_or_does_not_hold_are_not_created()
    {
        ReplicaPlacement.Missing(MapOf(Founded), "b", id => id == 0).ShouldBeEmpty();
        ReplicaPlacement.Missing(MapOf(Founded), "z", _ => false).ShouldBeEmpty();
    }
}
