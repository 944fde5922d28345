using Bunit;
using NodeNomad.Console.Components;
using NodeNomad.Console.Components.Pages;
using NodeNomad.Console.Fleet;

namespace NodeNomad.Console.Tests.Pages;

public sealed class KeysPageTests
{
    private static FakeNodeNomadApi NodeWithKeys(int count, string prefix = "user:")
    {
        var node = new FakeNodeNomadApi().With("other", "x");
        for (var i = 0; i < count; i++)
        {
            node.With($"{prefix}{i:000}", $"value {i}");
        }

        return node;
    }

    private static string[] ShownKeys(IRenderedComponent<Keys> cut) =>
        [.. cut.FindAll("[data-testid='key-row']").Select(r => r.GetAttribute("data-key")!)];

    [Fact]
    public async Task the_first_page_of_keys_shows_on_opening()
    {
        var node = NodeWithKeys(3);
        await using var context = ConsoleComponents.Context(new FleetState(new ManualClock()), node);

        var cut = context.Render<Keys>();

        cut.WaitForAssertion(() => ShownKeys(cut).ShouldBe(["other", "user:000", "user:001", "user:002"]));
    }

    [Fact]
    public async Task a_prefix_search_asks_the_cluster_for_that_prefix()
    {
        var node = NodeWithKeys(3);
        await using var context = ConsoleComponents.Context(new FleetState(new ManualClock()), node);
        var cut = context.Render<Keys>();

        cut.Field("prefix").Input("user:");
        cut.ById("search").Click();

        cut.WaitForAssertion(() => ShownKeys(cut).ShouldBe(["user:000", "user:001", "user:002"]));
        node.Calls.ShouldContain($"keys prefix=user: after= limit={Keys.PageSize}");
    }

    [Fact]
    public async Task paging_follows_the_cursor_forward_and_back()
    {
        var node = NodeWithKeys(Keys.PageSize + 5);
        await using var context = ConsoleComponents.Context(new FleetState(new ManualClock()), node);
        var cut = context.Render<Keys>();
        cut.Field("prefix").Input("user:");
        cut.ById("search").Click();
        cut.WaitForAssertion(() => ShownKeys(cut).Length.ShouldBe(Keys.PageSize));

        cut.ById("next-page").Click();

        cut.WaitForAssertion(() => ShownKeys(cut).ShouldBe([.. Enumerable.Range(Keys.PageSize, 5).Select(i => $"user:{i:000}")]));
        node.Calls.ShouldContain($"keys prefix=user: after=user:{Keys.PageSize - 1:000} limit={Keys.PageSize}");
        cut.ById("next-page").HasAttribute("disabled").ShouldBeTrue();

        cut.ById("previous-page").Click();

        cut.WaitForAssertion(() => ShownKeys(cut)[0].ShouldBe("user:000"));
    }

    [Fact]
    public async Task opening_a_key_shows_its_value_version_and_ttl()
    {
        var node = NodeWithKeys(1);
        await using var context = ConsoleComponents.Context(new FleetState(new ManualClock()), node);
        var cut = context.Render<Keys>();

        cut.WaitForElement("[data-key='user:000']").Click();

        cut.WaitForAssertion(() => cut.ById("detail-value").TextContent.ShouldBe("value 0"));
        cut.ById("detail-version").TextContent.ShouldBe(node.Keys["user:000"].Version.ToString(System.Globalization.CultureInfo.InvariantCulture));
        cut.ById("detail-ttl").TextContent.ShouldBe("never");
    }

    [Fact]
    public async Task creating_a_key_writes_it_through_the_client()
    {
        var node = new FakeNodeNomadApi();
        await using var context = ConsoleComponents.Context(new FleetState(new ManualClock()), node);
        var cut = context.Render<Keys>();

        cut.ById("new-key").Click();
        cut.Field("edit-key").Input("greeting");
        cut.Field("edit-value").Input("hello");
        cut.Field("edit-ttl").Input("60");
        cut.ById("save-key").Click();

        cut.WaitForAssertion(() => node.Calls.ShouldContain("set greeting=hello ttl=60"));
        cut.WaitForAssertion(() => cut.ById("detail-value").TextContent.ShouldBe("hello"));
        ShownKeys(cut).ShouldBe(["greeting"]);
    }

    [Fact]
    public async Task editing_a_key_writes_the_new_value()
    {
        var node = new FakeNodeNomadApi().With("greeting", "hello");
        await using var context = ConsoleComponents.Context(new FleetState(new ManualClock()), node);
        var cut = context.Render<Keys>();
        cut.WaitForElement("[data-key='greeting']").Click();
        cut.WaitForElement("[data-testid='edit']").Click();

        cut.Field("edit-value").Input("bonjour");
        cut.ById("save-key").Click();

        cut.WaitForAssertion(() => node.Keys["greeting"].Value.ShouldBe("bonjour"));
        cut.WaitForAssertion(() => cut.ById("detail-value").TextContent.ShouldBe("bonjour"));
    }

    [Fact]
    public async Task deleting_a_key_asks_first_and_then_deletes_it()
    {
        var node = new FakeNodeNomadApi().With("greeting", "hello");
        await using var context = ConsoleComponents.Context(new FleetState(new ManualClock()), node);
        var cut = context.Render<Keys>();
        cut.WaitForElement("[data-key='greeting']").Click();
        cut.WaitForElement("[data-testid='delete']").Click();

        cut.ById("confirm-delete").TextContent.ShouldContain("Delete greeting?");
        node.Calls.ShouldNotContain("delete greeting");

        cut.ById("confirm-delete-yes").Click();

        cut.WaitForAssertion(() => node.Calls.ShouldContain("delete greeting"));
        cut.WaitForAssertion(() => ShownKeys(cut).ShouldBeEmpty());
        node.Keys.ShouldNotContainKey("greeting");
    }

    [Fact]
    public async Task keeping_a_key_at_the_confirmation_deletes_nothing()
    {
        var node = new FakeNodeNomadApi().With("greeting", "hello");
        await using var context = ConsoleComponents.Context(new FleetState(new ManualClock()), node);
        var cut = context.Render<Keys>();
        cut.WaitForElement("[data-key='greeting']").Click();
        cut.WaitForElement("[data-testid='delete']").Click();

        cut.ById("confirm-delete-no").Click();

        cut.FindAll("[data-testid='confirm-delete']").ShouldBeEmpty();
        node.Calls.ShouldNotContain("delete greeting");
    }

    [Fact]
    public async Task an_expiry_is_shown_as_how_far_away_it_is_and_when_in_utc()
    {
        var clock = new ManualClock();
        var node = new FakeNodeNomadApi().With("session", "x", clock.GetUtcNow().AddMinutes(4));
        await using var context = ConsoleComponents.Context(new FleetState(clock), node, clock);

        var cut = context.Render<Keys>();

        cut.WaitForAssertion(() => cut.Text("[data-key='session'] [data-testid='key-expires']").ShouldBe("in 4 min (2026-11-26 12:04:00 UTC)"));
        cut.Find("[data-key='session']").Click();
        cut.WaitForAssertion(() => cut.ById("detail-ttl").TextContent.ShouldBe("in 4 min (2026-11-26 12:04:00 UTC)"));
    }

    [Fact]
    public async Task a_json_value_is_shown_indented()
    {
        var node = new FakeNodeNomadApi().With("doc", """{"name":"nomad","tags":["a","é"]}""");
        await using var context = ConsoleComponents.Context(new FleetState(new ManualClock()), node);
        var cut = context.Render<Keys>();
        cut.WaitForAssertion(() => cut.FindAll("[data-key='doc']").Count.ShouldBe(1));

        cut.Find("[data-key='doc']").Click();

        cut.WaitForAssertion(() => cut.ById("detail-value").TextContent.ShouldBe("{\n  \"name\": \"nomad\",\n  \"tags\": [\n    \"a\",\n    \"é\"\n  ]\n}"));
        cut.ById("detail-size").TextContent.ShouldContain("JSON");
    }

    [Fact]
    public async Task a_large_value_is_cut_with_its_size_and_shown_whole_on_request()
    {
        var node = new FakeNodeNomadApi().With("big", new string('v', 100_000));
        await using var context = ConsoleComponents.Context(new FleetState(new ManualClock()), node);
        var cut = context.Render<Keys>();
        cut.WaitForAssertion(() => cut.FindAll("[data-key='big']").Count.ShouldBe(1));

        cut.Find("[data-key='big']").Click();

        cut.WaitForAssertion(() => cut.ById("value-truncated").TextContent.ShouldContain("Showing the first 4 KiB of 97.7 KiB"));
        cut.ById("detail-value").TextContent.Length.ShouldBe(4097);
        cut.ById("show-whole").Click();
        cut.WaitForAssertion(() => cut.ById("detail-value").TextContent.Length.ShouldBe(100_000));
        cut.FindAll("[data-testid='value-truncated']").ShouldBeEmpty();
    }

    [Fact]
    public async Task a_binary_value_shows_as_binary_with_its_size_and_a_hex_dump_and_is_not_edited_as_text()
    {
        byte[] blob = [0x00, 0xFF, 0x41, 0x42, 0xED, 0xA0, 0x80];
        var node = new FakeNodeNomadApi().WithBytes("blob", blob);
        await using var context = ConsoleComponents.Context(new FleetState(new ManualClock()), node);
        var cut = context.Render<Keys>();

        cut.WaitForElement("[data-key='blob']").Click();

        cut.WaitForAssertion(() => cut.ById("detail-size").TextContent.Trim().ShouldBe("binary, 7 bytes (in hex)"));
        cut.ById("detail-value").TextContent.ShouldBe("00000000  00 ff 41 42 ed a0 80                              ..AB...");
        cut.Find("[data-key='blob'] [data-testid='key-size']").TextContent.ShouldBe("7 B, binary");
        cut.ById("edit").HasAttribute("disabled").ShouldBeTrue();
        cut.ById("binary-not-editable").TextContent.ShouldContain("application/octet-stream");
    }

    [Fact]
    public async Task a_large_binary_value_shows_its_first_bytes_until_asked_for_all()
    {
        var node = new FakeNodeNomadApi().WithBytes("big", [.. Enumerable.Range(0, 1000).Select(i => (byte)i)]);
        await using var context = ConsoleComponents.Context(new FleetState(new ManualClock()), node);
        var cut = context.Render<Keys>();

        cut.WaitForElement("[data-key='big']").Click();

        cut.WaitForAssertion(() => cut.ById("detail-value").TextContent.Split('\n').Length.ShouldBe(ValueShown.BinaryLimit / 16));
        cut.ById("value-truncated").TextContent.ShouldContain("Showing the first 256 B of");
        cut.ById("show-whole").Click();
        cut.WaitForAssertion(() => cut.ById("detail-value").TextContent.Split('\n').Length.ShouldBe(63));
    }
}
