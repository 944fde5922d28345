using NodeNomad.Contracts;
using NodeNomad.Core.Cluster;

namespace NodeNomad.Core.Tests.Cluster;

/// <summary>The meta group's record of migrations: each step is taken once, in order, and only from the state it expects.</summary>
public class MigrationRecordingTests
{
    private static MetaStateMachine Cluster()
    {
        var machine = new MetaStateMachine();
        var nodes = new[] { "a", "b", "c", "d" }.Select(id => new NodeRecord(id, id + ":1", "", 1, NodeRecord.Active)).ToList();
        var shards = HashRange.Split(2).Select((r, i) => new ShardRecord(i, r.Start, r.End, ["a", "b", "c"], [], ShardRecord.FirstEpoch)).ToList();
        machine.Apply(1, new BootstrapCluster("c1", 3, nodes, shards)).ShouldBeNull();
        return machine;
    }

    private static StartMigration Start(string id = "m-1", int shard = 0, string source = "c", string target = "d") =>
        new(id, shard, source, target, "manual", "tests", 1_000);

    [Fact]
    public void starting_records_the_target_as_a_learner_with_an_incarnation_of_its_own_and_keeps_the_epoch()
    {
        var machine = Cluster();
        machine.Apply(2, Start()).ShouldBeNull();

        var shard = machine.Map.Shards[0];
        shard.Learners.ShouldBe(["d"]);
        shard.Epoch.ShouldBe(ShardRecord.FirstEpoch, "a learner serves nothing, so routing and founding are unaffected");
        shard.IncarnationOf("d").ShouldBe(2);
        shard.ReplicaIdOf("d").ShouldNotBe(ReplicaIds.For("d"), "a member that joins later has an id of its own");
        var migration = machine.Map.Migration("m-1").ShouldNotBeNull();
        migration.State.ShouldBe(MigrationStates.AddingLearner);
        migration.Steps.Select(s => s.State).ShouldBe([MigrationStates.Pending, MigrationStates.AddingLearner]);
    }

    [Theory]
    [InlineData(7, "c", "d", "does not exist")]
    [InlineData(0, "d", "a", "holds no voting replica")]
    [InlineData(0, "c", "z", "is not a node")]
    [InlineData(0, "c", "a", "already holds")]
    public void a_start_that_cannot_run_is_refused_with_the_reason(int shard, string source, string target, string reason)
    {
        var machine = Cluster();
        machine.Apply(2, Start(shard: shard, source: source, target: target)).ShouldNotBeNull().ShouldContain(reason);
        machine.Map.Migrations.ShouldBeEmpty();
    }

    [Fact]
    public void a_shard_moves_one_replica_at_a_time_and_an_id_is_used_once()
    {
        var machine = Cluster();
        machine.Apply(2, Start()).ShouldBeNull();
        machine.Apply(3, Start(id: "m-2", source: "b")).ShouldNotBeNull().ShouldContain("already moving");
        machine.Apply(4, Start(shard: 1)).ShouldNotBeNull().ShouldContain("exists already");
    }

    [Fact]
    public void a_whole_move_ends_with_the_target_in_the_source_place_and_a_new_epoch()
    {
        var machine = Cluster();
        machine.Apply(2, Start()).ShouldBeNull();
        machine.Apply(3, new AdvanceMigration("m-1", MigrationStates.AddingLearner, MigrationStates.SendingSnapshot, 1_100)).ShouldBeNull();
        machine.Apply(4, new AdvanceMigration("m-1", MigrationStates.SendingSnapshot, MigrationStates.CatchingUp, 1_200)).ShouldBeNull();
        machine.Apply(5, new AdvanceMigration("m-1", MigrationStates.CatchingUp, MigrationStates.Swapping, 1_300)).ShouldBeNull();
        machine.Apply(6, new CompleteMigration("m-1", 1_400)).ShouldBeNull();
        machine.Apply(7, new AdvanceMigration("m-1", MigrationStates.CleaningUp, MigrationStates.Done, 1_500)).ShouldBeNull();

        var shard = machine.Map.Shards[0];
        shard.Replicas.ShouldBe(["a", "b", "d"]);
        shard.Learners.ShouldBeEmpty();
        shard.Epoch.ShouldBe(ShardRecord.FirstEpoch + 1);
        shard.IncarnationOf("d").ShouldBe(2);
        var migration = machine.Map.Migration("m-1")!;
        migration.State.ShouldBe(MigrationStates.Done);
        migration.CreatedAt.ShouldBe(1_000);
        migration.UpdatedAt.ShouldBe(1_500);
    }

    [Fact]
    public void a_step_repeated_or_out_of_order_is_refused_and_changes_nothing()
    {
        var machine = Cluster();
        machine.Apply(2, Start()).ShouldBeNull();
        machine.Apply(3, new AdvanceMigration("m-1", MigrationStates.AddingLearner, MigrationStates.CatchingUp, 1_100)).ShouldBeNull();
        var before = machine.Map;

        machine.Apply(4, new AdvanceMigration("m-1", MigrationStates.AddingLearner, MigrationStates.CatchingUp, 1_200)).ShouldNotBeNull().ShouldContain("not adding-learner");
        machine.Apply(5, new CompleteMigration("m-1", 1_300)).ShouldNotBeNull().ShouldContain("not swapping");
        machine.Apply(6, new AdvanceMigration("m-1", MigrationStates.CatchingUp, MigrationStates.Pending, 1_400)).ShouldNotBeNull().ShouldContain("cannot go");
        machine.Apply(7, new AdvanceMigration("m-9", MigrationStates.CatchingUp, MigrationStates.Swapping, 1_400)).ShouldNotBeNull().ShouldContain("no migration");
        machine.Map.ShouldBeSameAs(before);
    }

    [Fact]
    public void a_cancel_before_the_swap_keeps_it_from_swapping_and_the_undo_drops_the_learner()
    {
        var machine = Cluster();
        machine.Apply(2, Start()).ShouldBeNull();
        machine.Apply(3, new CancelMigration("m-1", 1_100, "operator")).ShouldBeNull();
        machine.Map.Migration("m-1")!.CancelRequested.ShouldBeTrue();
        machine.Apply(4, new AdvanceMigration("m-1", MigrationStates.AddingLearner, MigrationStates.Swapping, 1_200)).ShouldNotBeNull().ShouldContain("cancel");
        machine.Apply(5, new UndoMigration("m-1", MigrationStates.Cancelled, 1_300)).ShouldBeNull();

        var shard = machine.Map.Shards[0];
        shard.Learners.ShouldBeEmpty();
        shard.Incarnations.ShouldNotContainKey("d");
        shard.Replicas.ShouldBe(["a", "b", "c"]);
        machine.Map.Migration("m-1")!.State.ShouldBe(MigrationStates.Cancelled);
        machine.Map.MovingShard(0).ShouldBeNull("the shard may move again");
    }

    [Fact]
    public void a_move_past_its_swap_can_be_neither_cancelled_nor_undone()
    {
        var machine = Cluster();
        machine.Apply(2, Start()).ShouldBeNull();
        machine.Apply(3, new AdvanceMigration("m-1", MigrationStates.AddingLearner, MigrationStates.Swapping, 1_100)).ShouldBeNull();
        machine.Apply(4, new CancelMigration("m-1", 1_200, "operator")).ShouldNotBeNull().ShouldContain("past the swap");
        machine.Apply(5, new UndoMigration("m-1", MigrationStates.RolledBack, 1_300, "target died")).ShouldNotBeNull().ShouldContain("past the swap");
    }

    [Fact]
    public void a_node_that_joins_a_shard_again_gets_a_new_incarnation()
    {
        var machine = Cluster();
        machine.Apply(2, Start()).ShouldBeNull();
        machine.Apply(3, new UndoMigration("m-1", MigrationStates.RolledBack, 1_100, "no progress")).ShouldBeNull();
        machine.Apply(4, Start(id: "m-2")).ShouldBeNull();
        machine.Map.Shards[0].IncarnationOf("d").ShouldBe(4);
        machine.Map.Migration("m-1")!.Error.ShouldBe("no progress");
    }

    [Fact]
    public void only_the_latest_ended_migrations_are_kept()
    {
        var machine = Cluster();
        var index = 2L;
        for (var i = 0; i < MigrationRecord.HistoryKept + 5; i++)
        {
            machine.Apply(index++, Start(id: $"m-{i}")).ShouldBeNull();
            machine.Apply(index++, new UndoMigration($"m-{i}", MigrationStates.Cancelled, 2_000 + i)).ShouldBeNull();
        }

        machine.Apply(index, Start(id: "m-last")).ShouldBeNull();
        machine.Map.Migrations.Count.ShouldBe(MigrationRecord.HistoryKept + 1);
        machine.Map.Migration("m-0").ShouldBeNull();
        machine.Map.Migration("m-last").ShouldNotBeNull();
    }

    [Fact]
    public void the_migrations_survive_a_snapshot_of_the_map()
    {
        var machine = Cluster();
        machine.Apply(2, Start()).ShouldBeNull();
        var restored = MetaStateMachine.Restore(machine.Serialize());
        restored.Map.Migration("m-1").ShouldNotBeNull().State.ShouldBe(MigrationStates.AddingLearner);
        restored.Map.Shards[0].IncarnationOf("d").ShouldBe(2);
    }
}
