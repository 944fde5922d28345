using NodeNomad.Core.KeyValue;
using Shouldly;
using Xunit;

namespace NodeNomad.Core.Tests.KeyValue;

public class KeyVersionTests
{
    [Fact]
    public void a_write_takes_the_log_index_it_was_applied_at_as_its_version()
    {
        var machine = new KvStateMachine();

        var result = machine.Apply(7, new SetCommand("k", "v", ExpiresAt: 900, Timestamp: 0));

        result.ShouldBe(new KvResult(KvOutcome.Applied, 7, 900));
        machine.Get("k", 0).ShouldBe(new KvRecord("k", "v", 7, 900, 1));
        machine.AppliedIndex.ShouldBe(7);
    }

    [Fact]
    public void overwriting_a_key_bumps_its_version_to_the_new_index()
    {
        var machine = new KvStateMachine();
        machine.Apply(1, new SetCommand("k", "old", null, 0));
        machine.Apply(2, new SetCommand("other", "x", null, 0));

        machine.Apply(5, new SetCommand("k", "new", null, 0)).Version.ShouldBe(5);

        machine.Get("k", 0).ShouldBe(new KvRecord("k", "new", 5, null, 3));
        machine.Get("other", 0)!.Version.ShouldBe(2);
        machine.Count.ShouldBe(2);
        machine.Bytes.ShouldBe(1 + 3 + 5 + 1);
    }

    [Fact]
    public void deleting_a_live_key_removes_it_and_frees_its_bytes()
    {
        var machine = new KvStateMachine();
        machine.Apply(1, new SetCommand("k", "value", null, 0));

        machine.Apply(2, new DeleteCommand("k", 0)).ShouldBe(new KvResult(KvOutcome.Applied, 2, null));

        machine.Get("k", 0).ShouldBeNull();
        machine.Count.ShouldBe(0);
        machine.Bytes.ShouldBe(0);
    }

    [Fact]
    public void deleting_an_absent_key_is_not_found_and_leaves_the_data_unchanged()
    {
        var machine = new KvStateMachine();
        machine.Apply(1, new SetCommand("kept", "v", 500, 0));

        machine.Apply(2, new DeleteCommand("missing", 0)).ShouldBe(new KvResult(KvOutcome.NotFound, 0, null));

        machine.Count.ShouldBe(1);
        machine.Bytes.ShouldBe(5);
        machine.EarliestExpiry.ShouldBe(500);
        machine.Get("kept", 0).ShouldBe(new KvRecord("kept", "v", 1, 500, 1));
        machine.AppliedIndex.ShouldBe(2);
    }

    [Fact]
    public void deleting_an_expired_but_unpurged_key_is_not_found_as_of_the_command_timestamp()
    {
        var machine = new KvStateMachine();
        machine.Apply(1, new SetCommand("k", "v", ExpiresAt: 100, Timestamp: 0));

        machine.Apply(2, new DeleteCommand("k", Timestamp: 100)).Outcome.ShouldBe(KvOutcome.NotFound);

        machine.Count.ShouldBe(1);
        machine.Apply(3, new PurgeExpiredCommand(100)).Purged.ShouldBe(1);
    }

    [Fact]
    public void deleting_a_key_just_before_its_expiry_removes_it()
    {
        var machine = new KvStateMachine();
        machine.Apply(1, new SetCommand("k", "v", ExpiresAt: 100, Timestamp: 0));

        machine.Apply(2, new DeleteCommand("k", Timestamp: 99)).Outcome.ShouldBe(KvOutcome.Applied);

        machine.Count.ShouldBe(0);
        machine.EarliestExpiry.ShouldBeNull();
    }

    [Fact]
    public void a_deleted_key_written_again_gets_the_new_index()
    {
        var machine = new KvStateMachine();
        machine.Apply(1, new SetCommand("k", "v", null, 0));
        machine.Apply(2, new DeleteCommand("k", 0));

        machine.Apply(3, new SetCommand("k", "again", null, 0));

        machine.Get("k", 0)!.Version.ShouldBe(3);
    }

    [Theory]
    [InlineData(5)]
    [InlineData(4)]
    [InlineData(0)]
    [InlineData(-1)]
    public void applying_an_index_at_or_below_the_applied_index_throws_and_changes_nothing(long index)
    {
        var machine = new KvStateMachine();
        machine.Apply(5, new SetCommand("k", "v", null, 0));

        Should.Throw<ArgumentOutOfRangeException>(() => machine.Apply(index, new SetCommand("k", "changed", null, 0)));

        machine.AppliedIndex.ShouldBe(5);
        machine.Get("k", 0).ShouldBe(new KvRecord("k", "v", 5, null, 1));
    }

    [Fact]
    public void a_new_machine_rejects_index_zero()
    {
        var machine = new KvStateMachine();

        Should.Throw<ArgumentOutOfRangeException>(() => machine.Apply(0, new PurgeExpiredCommand(0)));
        machine.AppliedIndex.ShouldBe(0);
    }

    [Fact]
    public void indexes_may_skip_entries_that_are_not_key_value_commands()
    {
        var machine = new KvStateMachine();
        machine.Apply(3, new SetCommand("k", "v", null, 0));

        machine.Apply(10, new SetCommand("k", "w", null, 0)).Version.ShouldBe(10);
        machine.AppliedIndex.ShouldBe(10);
    }
}
