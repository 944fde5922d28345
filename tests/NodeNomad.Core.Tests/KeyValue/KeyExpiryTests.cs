using NodeNomad.Core.KeyValue;
using Shouldly;
using Xunit;

namespace NodeNomad.Core.Tests.KeyValue;

public class KeyExpiryTests
{
    [Fact]
    public void a_key_is_visible_before_its_expiry_and_invisible_at_and_after_it()
    {
        var machine = new KvStateMachine();
        machine.Apply(1, new SetCommand("session", "token", ExpiresAt: 1_000, Timestamp: 500));

        machine.Get("session", 999)!.Value.ShouldBe("token");
        machine.Get("session", 1_000).ShouldBeNull();
        machine.Get("session", 1_001).ShouldBeNull();
    }

    [Fact]
    public void a_key_set_without_ttl_never_expires()
    {
        var machine = new KvStateMachine();
        machine.Apply(1, new SetCommand("config", "on", ExpiresAt: null, Timestamp: 500));

        machine.Get("config", long.MaxValue)!.Value.ShouldBe("on");
        machine.EarliestExpiry.ShouldBeNull();
        machine.Apply(2, new PurgeExpiredCommand(long.MaxValue)).Purged.ShouldBe(0);
        machine.Count.ShouldBe(1);
    }

    [Fact]
    public void setting_a_key_again_without_ttl_clears_its_old_expiry()
    {
        var machine = new KvStateMachine();
        machine.Apply(1, new SetCommand("lease", "a", ExpiresAt: 1_000, Timestamp: 0));
        machine.Apply(2, new SetCommand("lease", "b", ExpiresAt: null, Timestamp: 10));

        var record = machine.Get("lease", 5_000).ShouldNotBeNull();
        record.Value.ShouldBe("b");
        record.ExpiresAt.ShouldBeNull();
        machine.EarliestExpiry.ShouldBeNull();
        machine.Apply(3, new PurgeExpiredCommand(5_000)).Purged.ShouldBe(0);
        machine.Get("lease", 5_000).ShouldNotBeNull();
    }

    [Fact]
    public void setting_a_key_again_with_a_new_ttl_replaces_its_old_expiry()
    {
        var machine = new KvStateMachine();
        machine.Apply(1, new SetCommand("lease", "a", ExpiresAt: 1_000, Timestamp: 0));
        machine.Apply(2, new SetCommand("lease", "b", ExpiresAt: 3_000, Timestamp: 10));

        machine.Get("lease", 2_000)!.Value.ShouldBe("b");
        machine.EarliestExpiry.ShouldBe(3_000);
        machine.Apply(3, new PurgeExpiredCommand(2_000)).Purged.ShouldBe(0);
    }

    [Fact]
    public void a_purge_at_a_time_removes_exactly_the_keys_expired_at_that_time()
    {
        var machine = new KvStateMachine();
        machine.Apply(1, new SetCommand("a", "1", ExpiresAt: 100, Timestamp: 0));
        machine.Apply(2, new SetCommand("b", "22", ExpiresAt: 200, Timestamp: 0));
        machine.Apply(3, new SetCommand("c", "333", ExpiresAt: 201, Timestamp: 0));
        machine.Apply(4, new SetCommand("d", "4444", ExpiresAt: null, Timestamp: 0));
        machine.Bytes.ShouldBe(4 + 1 + 2 + 3 + 4);

        var result = machine.Apply(5, new PurgeExpiredCommand(200));

        result.Outcome.ShouldBe(KvOutcome.Applied);
        result.Purged.ShouldBe(2);
        machine.Count.ShouldBe(2);
        machine.Get("a", 0).ShouldBeNull();
        machine.Get("b", 0).ShouldBeNull();
        machine.Get("c", 200)!.Value.ShouldBe("333");
        machine.Get("d", 200)!.Value.ShouldBe("4444");
        machine.Bytes.ShouldBe(2 + 3 + 4);
        machine.EarliestExpiry.ShouldBe(201);
    }

    [Fact]
    public void a_purge_before_any_expiry_removes_nothing()
    {
        var machine = new KvStateMachine();
        machine.Apply(1, new SetCommand("a", "1", ExpiresAt: 100, Timestamp: 0));

        machine.Apply(2, new PurgeExpiredCommand(99)).Purged.ShouldBe(0);

        machine.Count.ShouldBe(1);
        machine.Bytes.ShouldBe(2);
    }

    [Fact]
    public void an_expired_key_is_still_held_until_a_purge_removes_it()
    {
        var machine = new KvStateMachine();
        machine.Apply(1, new SetCommand("a", "1", ExpiresAt: 100, Timestamp: 0));

        machine.Get("a", 100).ShouldBeNull();
        machine.Count.ShouldBe(1);
        machine.Bytes.ShouldBe(2);

        machine.Apply(2, new PurgeExpiredCommand(100)).Purged.ShouldBe(1);
        machine.Count.ShouldBe(0);
        machine.Bytes.ShouldBe(0);
    }

    [Fact]
    public void earliest_expiry_tracks_the_minimum_of_held_keys()
    {
        var machine = new KvStateMachine();
        machine.EarliestExpiry.ShouldBeNull();

        machine.Apply(1, new SetCommand("late", "v", ExpiresAt: 300, Timestamp: 0));
        machine.EarliestExpiry.ShouldBe(300);

        machine.Apply(2, new SetCommand("early", "v", ExpiresAt: 100, Timestamp: 0));
        machine.EarliestExpiry.ShouldBe(100);

        machine.Apply(3, new SetCommand("middle", "v", ExpiresAt: 200, Timestamp: 0));
        machine.EarliestExpiry.ShouldBe(100);

        machine.Apply(4, new SetCommand("early", "v", ExpiresAt: null, Timestamp: 0));
        machine.EarliestExpiry.ShouldBe(200);

        machine.Apply(5, new DeleteCommand("middle", Timestamp: 0));
        machine.EarliestExpiry.ShouldBe(300);

        machine.Apply(6, new PurgeExpiredCommand(300));
        machine.EarliestExpiry.ShouldBeNull();
    }

    [Fact]
    public void keys_sharing_one_expiry_are_all_tracked_and_purged()
    {
        var machine = new KvStateMachine();
        machine.Apply(1, new SetCommand("a", "v", ExpiresAt: 100, Timestamp: 0));
        machine.Apply(2, new SetCommand("b", "v", ExpiresAt: 100, Timestamp: 0));
        machine.Apply(3, new DeleteCommand("a", Timestamp: 0));

        machine.EarliestExpiry.ShouldBe(100);
        machine.Apply(4, new PurgeExpiredCommand(100)).Purged.ShouldBe(1);
        machine.Count.ShouldBe(0);
    }
}
