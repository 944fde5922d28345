using NodeNomad.Core.KeyValue;
using Shouldly;
using Xunit;

namespace NodeNomad.Core.Tests.KeyValue;

public class CompareAndSetTests
{
    [Fact]
    public void a_matching_expected_version_writes_with_the_new_index()
    {
        var machine = new KvStateMachine();
        machine.Apply(3, new SetCommand("k", "old", null, 0));

        var result = machine.Apply(4, new CompareAndSetCommand("k", ExpectedVersion: 3, "new", ExpiresAt: 800, Timestamp: 0));

        result.ShouldBe(new KvResult(KvOutcome.Applied, 4, 800));
        machine.Get("k", 0).ShouldBe(new KvRecord("k", "new", 4, 800, 3));
    }

    [Fact]
    public void a_mismatched_expected_version_reports_the_current_version_and_changes_nothing()
    {
        var machine = new KvStateMachine();
        machine.Apply(3, new SetCommand("k", "old", 900, 0));

        var result = machine.Apply(4, new CompareAndSetCommand("k", ExpectedVersion: 2, "new", null, 0));

        result.Outcome.ShouldBe(KvOutcome.VersionMismatch);
        result.Version.ShouldBe(3);
        machine.Get("k", 0).ShouldBe(new KvRecord("k", "old", 3, 900, 3));
        machine.Bytes.ShouldBe(4);
        machine.EarliestExpiry.ShouldBe(900);
    }

    [Fact]
    public void expected_version_zero_creates_an_absent_key()
    {
        var machine = new KvStateMachine();

        machine.Apply(1, new CompareAndSetCommand("k", 0, "v", null, 0)).ShouldBe(new KvResult(KvOutcome.Applied, 1, null));

        machine.Get("k", 0)!.Version.ShouldBe(1);
    }

    [Fact]
    public void expected_version_zero_fails_when_the_key_exists()
    {
        var machine = new KvStateMachine();
        machine.Apply(1, new SetCommand("k", "first", null, 0));

        var result = machine.Apply(2, new CompareAndSetCommand("k", 0, "second", null, 0));

        result.Outcome.ShouldBe(KvOutcome.VersionMismatch);
        result.Version.ShouldBe(1);
        machine.Get("k", 0)!.Value.ShouldBe("first");
    }

    [Fact]
    public void expected_version_zero_succeeds_on_an_expired_key()
    {
        var machine = new KvStateMachine();
        machine.Apply(1, new SetCommand("lock", "holder-a", ExpiresAt: 100, Timestamp: 0));

        var result = machine.Apply(2, new CompareAndSetCommand("lock", 0, "holder-b", ExpiresAt: null, Timestamp: 100));

        result.ShouldBe(new KvResult(KvOutcome.Applied, 2, null));
        machine.Get("lock", 1_000).ShouldBe(new KvRecord("lock", "holder-b", 2, null, 8));
        machine.Count.ShouldBe(1);
        machine.Bytes.ShouldBe(4 + 8);
        machine.EarliestExpiry.ShouldBeNull();
    }

    [Fact]
    public void the_old_version_of_an_expired_key_no_longer_matches()
    {
        var machine = new KvStateMachine();
        machine.Apply(1, new SetCommand("lock", "holder-a", ExpiresAt: 100, Timestamp: 0));

        var result = machine.Apply(2, new CompareAndSetCommand("lock", 1, "renewed", ExpiresAt: 200, Timestamp: 100));

        result.Outcome.ShouldBe(KvOutcome.VersionMismatch);
        result.Version.ShouldBe(0);
        machine.Get("lock", 99).ShouldBe(new KvRecord("lock", "holder-a", 1, 100, 8));
    }

    [Fact]
    public void the_version_still_matches_just_before_the_key_expires()
    {
        var machine = new KvStateMachine();
        machine.Apply(1, new SetCommand("lock", "holder-a", ExpiresAt: 100, Timestamp: 0));

        machine.Apply(2, new CompareAndSetCommand("lock", 1, "renewed", ExpiresAt: 200, Timestamp: 99)).Outcome.ShouldBe(KvOutcome.Applied);

        machine.Get("lock", 150)!.Value.ShouldBe("renewed");
        machine.EarliestExpiry.ShouldBe(200);
    }

    [Fact]
    public void the_version_of_a_deleted_key_no_longer_matches()
    {
        var machine = new KvStateMachine();
        machine.Apply(1, new SetCommand("k", "v", null, 0));
        machine.Apply(2, new DeleteCommand("k", 0));

        var result = machine.Apply(3, new CompareAndSetCommand("k", 1, "w", null, 0));

        result.Outcome.ShouldBe(KvOutcome.VersionMismatch);
        result.Version.ShouldBe(0);
        machine.Count.ShouldBe(0);
    }
}
