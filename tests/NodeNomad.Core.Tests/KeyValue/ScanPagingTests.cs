using NodeNomad.Core.KeyValue;
using Shouldly;
using Xunit;

namespace NodeNomad.Core.Tests.KeyValue;

public class ScanPagingTests
{
    private static KvStateMachine MachineWith(params string[] keys)
    {
        var machine = new KvStateMachine();
        var index = 0L;
        foreach (var key in keys)
        {
            machine.Apply(++index, new SetCommand(key, "v", null, 0));
        }

        return machine;
    }

    private static string[] Keys(KvPage page) => [.. page.Items.Select(record => record.Key)];

    [Fact]
    public void only_keys_starting_with_the_prefix_are_returned()
    {
        var machine = MachineWith("user/2", "admin", "user/1", "users", "use", "user", "user/1/avatar");

        var page = machine.Scan("user/", null, 100, 0);

        Keys(page).ShouldBe(["user/1", "user/1/avatar", "user/2"]);
        page.NextAfter.ShouldBeNull();
    }

    [Fact]
    public void an_empty_prefix_scans_every_key()
    {
        var machine = MachineWith("b", "a", "c");

        Keys(machine.Scan("", null, 100, 0)).ShouldBe(["a", "b", "c"]);
    }

    [Fact]
    public void keys_come_back_in_ordinal_order_not_culture_order()
    {
        var machine = MachineWith("😀", "z", "é", "a0", "B", "€", "a/b", "a", "b", "a.b", "\uFFFD", "Z");

        // UTF-16 code unit order: '.' (2E) < '/' (2F) < '0' (30); upper case before lower case; a surrogate
        // pair (D83D..) sorts before U+FFFD although its code point is higher.
        Keys(machine.Scan("", null, 100, 0)).ShouldBe(["B", "Z", "a", "a.b", "a/b", "a0", "b", "z", "é", "€", "😀", "\uFFFD"]);
    }

    [Fact]
    public void a_non_ascii_prefix_matches_by_code_units()
    {
        var machine = MachineWith("é/1", "e/1", "é", "ée", "f");

        Keys(machine.Scan("é", null, 100, 0)).ShouldBe(["é", "é/1", "ée"]);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(7)]
    [InlineData(10)]
    [InlineData(249)]
    [InlineData(250)]
    [InlineData(1_000)]
    public void paging_with_next_after_returns_every_live_key_exactly_once(int limit)
    {
        var machine = new KvStateMachine();
        var index = 0L;
        var live = new List<string>();
        for (var i = 0; i < 300; i++)
        {
            var key = $"item/{i:D4}";
            var expiresAt = i % 6 == 5 ? 1_000 : (long?)null;
            machine.Apply(++index, new SetCommand(key, "v", expiresAt, 0));
            if (expiresAt is null)
            {
                live.Add(key);
            }
        }

        machine.Apply(++index, new SetCommand("item", "outside", null, 0));
        machine.Apply(++index, new SetCommand("items/0000", "outside", null, 0));
        machine.Apply(++index, new SetCommand("a", "outside", null, 0));
        live.Count.ShouldBe(250);

        var pages = PagedScan.ReadAll(machine, "item/", limit, now: 1_000);

        pages.SelectMany(Keys).ShouldBe(live);
        pages.Count.ShouldBe((live.Count + limit - 1) / limit);
        pages[^1].NextAfter.ShouldBeNull();
        foreach (var page in pages[..^1])
        {
            page.Items.Count.ShouldBe(limit);
            page.NextAfter.ShouldBe(page.Items[^1].Key);
        }
    }

    [Fact]
    public void after_before_the_prefix_range_starts_at_the_prefix()
    {
        var machine = MachineWith("a", "m/1", "m/2", "z");

        Keys(machine.Scan("m/", "b", 100, 0)).ShouldBe(["m/1", "m/2"]);
        Keys(machine.Scan("m/", "m", 100, 0)).ShouldBe(["m/1", "m/2"]);
    }

    [Fact]
    public void after_a_held_key_inside_the_prefix_range_starts_just_past_it()
    {
        var machine = MachineWith("m/1", "m/2", "m/3", "n");

        Keys(machine.Scan("m/", "m/2", 100, 0)).ShouldBe(["m/3"]);
    }

    [Fact]
    public void after_an_absent_key_inside_the_prefix_range_starts_at_the_next_key()
    {
        var machine = MachineWith("m/1", "m/2", "m/3", "n");

        Keys(machine.Scan("m/", "m/15", 100, 0)).ShouldBe(["m/2", "m/3"]);
    }

    [Theory]
    [InlineData("m/3")]
    [InlineData("m0")]
    [InlineData("n")]
    [InlineData("zzz")]
    public void after_the_end_of_the_prefix_range_returns_an_empty_last_page(string after)
    {
        var machine = MachineWith("a", "m/1", "m/2", "m/3", "n", "o");

        var page = machine.Scan("m/", after, 100, 0);

        page.Items.ShouldBeEmpty();
        page.NextAfter.ShouldBeNull();
    }

    [Fact]
    public void expired_keys_are_skipped()
    {
        var machine = new KvStateMachine();
        machine.Apply(1, new SetCommand("k/a", "v", null, 0));
        machine.Apply(2, new SetCommand("k/b", "v", 100, 0));
        machine.Apply(3, new SetCommand("k/c", "v", 200, 0));

        Keys(machine.Scan("k/", null, 100, 99)).ShouldBe(["k/a", "k/b", "k/c"]);
        Keys(machine.Scan("k/", null, 100, 100)).ShouldBe(["k/a", "k/c"]);
        Keys(machine.Scan("k/", null, 100, 200)).ShouldBe(["k/a"]);
    }

    [Fact]
    public void a_full_page_followed_only_by_expired_keys_is_the_last_page()
    {
        var machine = new KvStateMachine();
        machine.Apply(1, new SetCommand("k/a", "v", null, 0));
        machine.Apply(2, new SetCommand("k/b", "v", null, 0));
        machine.Apply(3, new SetCommand("k/c", "v", 100, 0));
        machine.Apply(4, new SetCommand("k/d", "v", 100, 0));

        var page = machine.Scan("k/", null, 2, 100);

        Keys(page).ShouldBe(["k/a", "k/b"]);
        page.NextAfter.ShouldBeNull();
    }

    [Fact]
    public void a_full_page_followed_by_more_keys_names_the_last_key_as_next_after()
    {
        var machine = MachineWith("k/a", "k/b", "k/c");

        var page = machine.Scan("k/", null, 2, 0);

        Keys(page).ShouldBe(["k/a", "k/b"]);
        page.NextAfter.ShouldBe("k/b");
    }

    [Fact]
    public void an_empty_machine_returns_an_empty_last_page()
    {
        var machine = new KvStateMachine();

        var page = machine.Scan("", null, 10, 0);

        page.Items.ShouldBeEmpty();
        page.NextAfter.ShouldBeNull();
        machine.Scan("k/", "k/a", 10, 0).Items.ShouldBeEmpty();
    }

    [Fact]
    public void a_machine_whose_keys_are_all_purged_returns_an_empty_last_page()
    {
        var machine = new KvStateMachine();
        machine.Apply(1, new SetCommand("k", "v", 100, 0));
        machine.Apply(2, new PurgeExpiredCommand(100));

        var page = machine.Scan("", null, 10, 0);

        page.Items.ShouldBeEmpty();
        page.NextAfter.ShouldBeNull();
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-1)]
    [InlineData(int.MinValue)]
    public void a_limit_below_one_throws(int limit)
    {
        var machine = MachineWith("k");

        Should.Throw<ArgumentOutOfRangeException>(() => machine.Scan("", null, limit, 0));
    }
}
