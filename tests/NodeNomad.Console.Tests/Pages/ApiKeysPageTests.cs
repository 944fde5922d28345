using Bunit;
using NodeNomad.Console.Components.Pages;
using NodeNomad.Console.Fleet;
using NodeNomad.Contracts;

namespace NodeNomad.Console.Tests.Pages;

public sealed class ApiKeysPageTests
{
    private static string[] ShownKeys(IRenderedComponent<ApiKeys> cut) =>
        [.. cut.FindAll("[data-testid='api-key-row']").Select(r => r.GetAttribute("data-key")!)];

    [Fact]
    public async Task the_cluster_s_keys_are_listed_without_tokens()
    {
        var node = new FakeNodeNomadApi();
        node.ApiKeys.Add(new ApiKeyInfo("key-1", "orders service", [ApiScopes.Read, ApiScopes.Write], DateTimeOffset.UnixEpoch));
        await using var context = ConsoleComponents.Context(new FleetState(new ManualClock()), node);

        var cut = context.Render<ApiKeys>();

        cut.WaitForAssertion(() => ShownKeys(cut).ShouldBe(["key-1"]));
        cut.Find("[data-testid='api-key-row']").TextContent.ShouldContain("read, write");
    }

    [Fact]
    public async Task a_created_key_shows_its_token_once_and_joins_the_list()
    {
        var node = new FakeNodeNomadApi();
        await using var context = ConsoleComponents.Context(new FleetState(new ManualClock()), node);
        var cut = context.Render<ApiKeys>();

        cut.Field("api-key-name").Input("dashboard");
        cut.Field("scope-write").Change(true);
        cut.ById("create-api-key").Click();

        cut.WaitForAssertion(() => cut.ById("token").TextContent.ShouldBe("nn_token-of-key-1"));
        node.Calls.ShouldContain("create-key dashboard scopes=read,write");
        ShownKeys(cut).ShouldBe(["key-1"]);

        cut.ById("token-done").Click();
        cut.FindAll("[data-testid='token']").ShouldBeEmpty();
    }

    [Fact]
    public async Task a_key_is_revoked_after_confirmation()
    {
        var node = new FakeNodeNomadApi();
        node.ApiKeys.Add(new ApiKeyInfo("key-1", "old", [ApiScopes.Read], DateTimeOffset.UnixEpoch));
        await using var context = ConsoleComponents.Context(new FleetState(new ManualClock()), node);
        var cut = context.Render<ApiKeys>();
        cut.WaitForAssertion(() => ShownKeys(cut).ShouldBe(["key-1"]));

        cut.ById("revoke").Click();
        cut.ById("confirm-revoke").TextContent.ShouldContain("Revoke old?");
        node.Calls.ShouldNotContain("revoke-key key-1");
        cut.ById("confirm-revoke-yes").Click();

        cut.WaitForAssertion(() => ShownKeys(cut).ShouldBeEmpty());
        node.Calls.ShouldContain("revoke-key key-1");
    }

    [Fact]
    public async Task a_refusal_is_shown_on_the_page()
    {
        var node = new FakeNodeNomadApi();
        node.ApiKeys.Add(new ApiKeyInfo("key-1", "old", [ApiScopes.Read], DateTimeOffset.UnixEpoch));
        await using var context = ConsoleComponents.Context(new FleetState(new ManualClock()), node);
        var cut = context.Render<ApiKeys>();
        cut.WaitForAssertion(() => ShownKeys(cut).ShouldBe(["key-1"]));
        node.ApiKeys.Clear();

        cut.ById("revoke").Click();
        cut.ById("confirm-revoke-yes").Click();

        cut.WaitForAssertion(() => cut.ById("api-keys-error").TextContent.ShouldContain("There is no API key key-1"));
    }
}
