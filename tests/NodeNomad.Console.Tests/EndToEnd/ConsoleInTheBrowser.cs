using Microsoft.Playwright;
using NodeNomad.Client;
using static Microsoft.Playwright.Assertions;

namespace NodeNomad.Console.Tests.EndToEnd;

/// <summary>The console in Chromium against a real three-node cluster: what an operator does and sees.</summary>
public sealed class ConsoleInTheBrowser(BrowserCluster fleet) : IClassFixture<BrowserCluster>
{
    private static readonly LocatorAssertionsToHaveCountOptions Patience = new() { Timeout = 20_000 };

    [Fact]
    public async Task signing_in_shows_every_node_up_on_the_overview_and_the_nodes_page()
    {
        await BrowserCluster.WriteSomeKeysAsync(fleet.Cluster.Nodes[0], "load", 30);
        var page = await fleet.SignedInPageAsync();

        await Expect(page.Locator("[data-testid='overview-node'][data-state='up']")).ToHaveCountAsync(3, Patience);
        await Expect(page.Locator("[data-testid='stat-shards'] [data-testid='stat-value']")).ToHaveTextAsync("8", new() { Timeout = 20_000 });
        await page.WaitForTimeoutAsync(2_000);
        await BrowserCluster.ScreenshotAsync(page, "overview");

        await page.ClickAsync("a[href='/nodes']");
        await Expect(page.Locator("[data-testid='node-row'] [data-testid='node-state'][data-state='up']")).ToHaveCountAsync(3, Patience);
        await BrowserCluster.ScreenshotAsync(page, "nodes");

        await page.ClickAsync("[data-testid='node-row'][data-node='node-1'] a");
        await Expect(page.Locator("[data-testid='group-row']")).ToHaveCountAsync(8, Patience);
        await BrowserCluster.ScreenshotAsync(page, "node-detail");
    }

    [Theory]
    [InlineData("/", "Overview", "overview")]
    [InlineData("/nodes", "Nodes", "nodes")]
    [InlineData("/nodes/node-1", "Node node-1", "node-detail")]
    [InlineData("/shards", "Shards", "shards")]
    [InlineData("/shards/0", "Shard 0", "shard-detail")]
    [InlineData("/keys", "Keys", "keys")]
    [InlineData("/events", "Events", "events")]
    [InlineData("/migrations", "Migrations", "migrations")]
    [InlineData("/rebalancer", "Rebalancer", "rebalancer")]
    public async Task each_page_loads_without_a_failed_request_and_shows_its_heading_below_the_app_bar(string path, string heading, string name)
    {
        var page = await fleet.SignedInPageAsync();

        await page.GotoAsync(new Uri(fleet.Console.BaseAddress, path).ToString());
        var title = page.Locator("[data-testid='page'] h4").First;
        await Expect(title).ToHaveTextAsync(heading);
        await page.WaitForTimeoutAsync(1_500);
        await BrowserCluster.ScreenshotAsync(page, $"page-{name}");

        var bar = (await page.Locator(".mud-appbar").BoundingBoxAsync())!;
        var box = (await title.BoundingBoxAsync())!;
        box.Y.ShouldBeGreaterThanOrEqualTo(bar.Y + bar.Height, $"the heading of {path} starts under the app bar");
        fleet.FailedResponses(page).ShouldBeEmpty();
    }

    [Fact]
    public async Task signing_out_posts_the_form_with_its_antiforgery_token_and_every_page_then_asks_to_sign_in_again()
    {
        var page = await fleet.SignedInPageAsync();
        (await page.Locator("form[action='/logout'] input[name='__RequestVerificationToken']").CountAsync()).ShouldBe(1);

        // Signed out once the browser is sent to the sign-in page: waiting for that page's load event as well would
        // only add the time its scripts and styles take on a busy machine, which the sign-out does not depend on.
        await page.ClickAsync("form[action='/logout'] button[type='submit']");
        await page.WaitForURLAsync("**/login**", new() { WaitUntil = WaitUntilState.Commit, Timeout = 60_000 });

        await page.GotoAsync(new Uri(fleet.Console.BaseAddress, "/nodes").ToString());
        await page.WaitForURLAsync("**/login**");
        (await page.Locator("[data-testid='overview-nodes'], [data-testid='node-row']").CountAsync()).ShouldBe(0);
        fleet.FailedResponses(page).ShouldAllBe(failure => !failure.StartsWith("400", StringComparison.Ordinal), "the sign-out post was not refused");
    }

    [Fact]
    public async Task the_shard_matrix_shows_each_nodes_replica_and_the_leader()
    {
        var page = await fleet.SignedInPageAsync();

        await page.ClickAsync("a[href='/shards']");

        await Expect(page.Locator("[data-testid='matrix-node']")).ToHaveCountAsync(3, Patience);
        await Expect(page.Locator("[data-testid='shard-row'][data-shard='0'] [data-testid='matrix-cell'][data-role='leader']")).ToHaveCountAsync(1, Patience);
        await Expect(page.Locator("[data-testid='shard-row'][data-shard='0'] [data-testid='matrix-cell'][data-role='follower']")).ToHaveCountAsync(2, Patience);
        await BrowserCluster.ScreenshotAsync(page, "shards");
    }

    [Fact]
    public async Task a_key_created_in_the_browser_reads_back_through_the_rest_api_and_is_deleted()
    {
        var key = $"console-e2e-{Guid.NewGuid():N}"[..24];
        const string value = "written from the browser";
        var page = await fleet.SignedInPageAsync();
        await page.ClickAsync("a[href='/keys']");
        await page.WaitForSelectorAsync("[data-testid='keys-table']");

        await page.ClickAsync("[data-testid='new-key']");
        await page.FillAsync("[data-testid='edit-key'] input, input[data-testid='edit-key']", key);
        await page.FillAsync("[data-testid='edit-value'] textarea, textarea[data-testid='edit-value']", value);
        await page.ClickAsync("[data-testid='save-key']");

        await Expect(page.Locator("[data-testid='detail-value']")).ToHaveTextAsync(value);
        await Expect(page.Locator(".mud-snackbar")).ToHaveCountAsync(1, Patience);
        var notice = (await page.Locator(".mud-snackbar").BoundingBoxAsync())!;
        foreach (var button in new[] { "search", "new-key", "edit", "delete" })
        {
            var box = (await page.Locator($"[data-testid='{button}']").BoundingBoxAsync())!;
            var overlaps = box.X < notice.X + notice.Width && notice.X < box.X + box.Width && box.Y < notice.Y + notice.Height && notice.Y < box.Y + box.Height;
            overlaps.ShouldBeFalse($"the notification covers the {button} button");
        }

        await BrowserCluster.ScreenshotAsync(page, "keys-created");
        using var http = new HttpClient { BaseAddress = fleet.Cluster.Nodes[1].BaseAddress, Timeout = TimeSpan.FromSeconds(10) };
        var client = NodeNomadClient.Create(http);
        (await client.GetAsync(key, TestContext.Current.CancellationToken))!.Value.ShouldBe(value);

        await page.ClickAsync("[data-testid='delete']");
        await page.ClickAsync("[data-testid='confirm-delete-yes']");

        await Expect(page.Locator($"[data-testid='key-row'][data-key='{key}']")).ToHaveCountAsync(0, Patience);
        await Expect(page.Locator("[data-testid='key-detail']")).ToHaveCountAsync(0, Patience);
        (await client.GetAsync(key, TestContext.Current.CancellationToken)).ShouldBeNull();
        await BrowserCluster.ScreenshotAsync(page, "keys-deleted");
    }

    [Fact]
    public async Task a_killed_node_turns_down_on_the_overview_without_a_reload()
    {
        var page = await fleet.SignedInPageAsync();
        await Expect(page.Locator("[data-testid='overview-node'][data-state='up']")).ToHaveCountAsync(3, Patience);
        var victim = fleet.Cluster.Nodes[2];
        var navigations = 0;
        page.FrameNavigated += (_, _) => navigations++;

        victim.Kill();
        try
        {
            await Expect(page.Locator($"[data-testid='overview-node'][data-node='{victim.NodeId}'][data-state='down']")).ToHaveCountAsync(1, Patience);
            await Expect(page.Locator("[data-testid='overview-node'][data-state='up']")).ToHaveCountAsync(2, Patience);
            navigations.ShouldBe(0);
            await BrowserCluster.ScreenshotAsync(page, "overview-node-down");

            await page.ClickAsync("a[href='/shards']");
            var victimCells = page.Locator($"[data-testid='matrix-cell'][data-node='{victim.NodeId}'][data-role]:not([data-role=''])");
            await Expect(victimCells).Not.ToHaveCountAsync(0, Patience);
            await Expect(page.Locator($"[data-testid='matrix-cell'][data-node='{victim.NodeId}'][data-available='false']")).ToHaveCountAsync(await victimCells.CountAsync(), Patience);
            await BrowserCluster.ScreenshotAsync(page, "shards-node-down");

            await page.ClickAsync($"a[href='/nodes/{victim.NodeId}']");
            await Expect(page.Locator("[data-testid='stale-notice']")).ToContainTextAsync("stale", new() { Timeout = 20_000 });
            await BrowserCluster.ScreenshotAsync(page, "node-detail-down");

            await page.ClickAsync("a[href='/events']");
            await Expect(page.Locator($"[data-testid='event'][data-kind='node-unreachable']")).Not.ToHaveCountAsync(0, Patience);
            await Expect(page.Locator("[data-testid='event'][data-kind='node-started']")).Not.ToHaveCountAsync(0, Patience);
            var times = await page.Locator("[data-testid='event'] td:first-child").EvaluateAllAsync<string[]>("cells => cells.map(c => c.title)");
            times.ShouldBe([.. times.OrderByDescending(t => t, StringComparer.Ordinal)], "events newest first by when they happened");
            await BrowserCluster.ScreenshotAsync(page, "events");
        }
        finally
        {
            // The other tests share the cluster: bring the node back.
            await victim.RestartAsync();
        }
    }
}
