using System.Text.RegularExpressions;
using Microsoft.Playwright;
using NodeNomad.Contracts;
using static Microsoft.Playwright.Assertions;

namespace NodeNomad.Console.Tests.EndToEnd;

/// <summary>An operator moves shard replicas from the console in Chromium, against four real nodes.</summary>
public sealed partial class MigrationsInTheBrowser(MigrationsBrowserCluster fleet) : IClassFixture<MigrationsBrowserCluster>
{
    private static readonly LocatorAssertionsToHaveAttributeOptions MoveTime = new() { Timeout = 90_000 };
    private static readonly LocatorAssertionsToHaveCountOptions Patience = new() { Timeout = 20_000 };

    [Fact]
    public async Task a_move_scheduled_in_the_console_reaches_done_and_the_matrix_follows_and_a_second_move_is_cancelled()
    {
        var cancellation = TestContext.Current.CancellationToken;
        var shards = await fleet.Api.GetShardsAsync(cancellation);
        var page = await fleet.SignedInPageAsync();

        // The first move starts from the shard's Move action on the shards page; the cluster picks the source.
        var first = shards.Single(s => s.Id == 0);
        var firstTarget = NodeWithout(first);
        await page.ClickAsync("a[href='/shards']");
        await page.ClickAsync("[data-testid='shard-moves-row'][data-shard='0'] [data-testid='shard-move']");
        await page.WaitForURLAsync("**/migrations?shard=0");
        await ChooseAsync(page, "migrate-target", firstTarget);
        await page.ClickAsync("[data-testid='migrate-submit']");
        var firstId = await ScheduledAsync(page);
        await BrowserCluster.ScreenshotAsync(page, "migrations-scheduled");

        var firstRow = page.Locator($"[data-testid='history-row'][data-id='{firstId}']");
        await Expect(firstRow).ToHaveAttributeAsync("data-state", MigrationStates.Done, MoveTime);
        await BrowserCluster.ScreenshotAsync(page, "migrations-done");
        var source = (await fleet.Api.GetMigrationAsync(firstId, cancellation)).SourceNodeId;

        await page.ClickAsync("a[href='/shards']");
        var row = $"[data-testid='shard-row'][data-shard='0']";
        await Expect(page.Locator($"{row} [data-testid='matrix-cell'][data-node='{firstTarget}']")).ToHaveAttributeAsync("data-role", VotingRole(), MoveTime);
        await Expect(page.Locator($"{row} [data-testid='matrix-cell'][data-node='{source}']")).ToHaveAttributeAsync("data-role", "", MoveTime);
        await Expect(page.Locator($"{row} [data-testid='matrix-cell'][data-role='leader'], {row} [data-testid='matrix-cell'][data-role='follower']"))
            .ToHaveCountAsync(3, Patience);
        await BrowserCluster.ScreenshotAsync(page, "migrations-matrix-after-move");

        // The second starts from the target's "Move a replica here", and is cancelled before it ends if it can be.
        var second = shards.Single(s => s.Id == 1);
        var secondTarget = NodeWithout(second);
        await page.GotoAsync(new Uri(fleet.Console.BaseAddress, $"/nodes/{secondTarget}").ToString());
        await page.ClickAsync("[data-testid='move-replica-here']");
        await page.WaitForURLAsync($"**/migrations?target={secondTarget}");
        await ChooseAsync(page, "migrate-shard", "shard-1");
        await page.ClickAsync("[data-testid='migrate-submit']");
        var secondId = await ScheduledAsync(page);

        var cancel = page.Locator($"[data-testid='migration-row'][data-id='{secondId}'] [data-testid='cancel-migration']:not([disabled])");
        var ended = page.Locator($"[data-testid='history-row'][data-id='{secondId}']");
        await Expect(cancel.Or(ended)).ToBeVisibleAsync();
        var cancelClicked = await TryClickAsync(cancel);
        if (cancelClicked)
        {
            var confirm = page.Locator(".mud-dialog button", new() { HasText = "Cancel move" });
            await Expect(confirm).ToBeVisibleAsync();
            await BrowserCluster.ScreenshotAsync(page, "migrations-cancel-confirmation");
            await confirm.ClickAsync();
        }

        await Expect(ended).ToHaveAttributeAsync("data-state", EndOfCancelledMove(), MoveTime);
        await BrowserCluster.ScreenshotAsync(page, "migrations-history");
        var outcome = await ended.GetAttributeAsync("data-state");
        var after = await fleet.Api.GetMigrationAsync(secondId, cancellation);
        after.State.ShouldBe(outcome);
        if (outcome == MigrationStates.Cancelled)
        {
            cancelClicked.ShouldBeTrue("only the console asked for a cancel");
            after.CancelRequested.ShouldBeTrue();
        }

        // Either way the matrix ends as the outcome says: the target holds shard-1 only if the move completed.
        await page.ClickAsync("a[href='/shards']");
        var targetCell = page.Locator($"[data-testid='shard-row'][data-shard='1'] [data-testid='matrix-cell'][data-node='{secondTarget}']");
        await Expect(targetCell).ToHaveAttributeAsync("data-role", outcome == MigrationStates.Done ? VotingRole() : new Regex("^$"), MoveTime);
        await Expect(page.Locator("[data-testid='shard-moving']")).ToHaveCountAsync(0, Patience);
    }

    private string NodeWithout(ShardInfo shard) =>
        fleet.Cluster.Nodes.Select(n => n.NodeId).First(id => shard.Replicas.All(r => r.NodeId != id));

    private static async Task ChooseAsync(IPage page, string testId, string text)
    {
        await page.ClickAsync($"[data-testid='{testId}']");
        await page.Locator(".mud-popover-open .mud-list-item").Filter(new() { HasTextRegex = new Regex($"^\\s*{Regex.Escape(text)}\\s*$") }).ClickAsync();
        await Expect(page.Locator(".mud-popover-open .mud-list-item")).ToHaveCountAsync(0);
    }

    private static async Task<string> ScheduledAsync(IPage page)
    {
        var scheduled = page.Locator("[data-testid='migrate-scheduled']");
        await Expect(scheduled).ToBeVisibleAsync();
        return (await scheduled.GetAttributeAsync("data-migration"))!;
    }

    // The move may pass its swap between seeing the button and clicking it; then there is nothing to cancel.
    private static async Task<bool> TryClickAsync(ILocator button)
    {
        try
        {
            await button.ClickAsync(new() { Timeout = 3_000 });
            return true;
        }
        catch (TimeoutException)
        {
            return false;
        }
    }

    [GeneratedRegex("^(leader|follower)$")]
    private static partial Regex VotingRole();

    [GeneratedRegex("^(cancelled|done)$")]
    private static partial Regex EndOfCancelledMove();
}
