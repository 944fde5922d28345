using System.Globalization;
using System.Text.RegularExpressions;
using Microsoft.Playwright;
using NodeNomad.Client;
using NodeNomad.Contracts;
using NodeNomad.Contracts.Fleet;
using static Microsoft.Playwright.Assertions;

namespace NodeNomad.Console.Tests.EndToEnd;

/// <summary>An operator moves shard replicas from the console in Chromium, against four real nodes.</summary>
public sealed partial class MigrationsInTheBrowser(MigrationsBrowserCluster fleet) : IClassFixture<MigrationsBrowserCluster>
{
    private static readonly LocatorAssertionsToHaveAttributeOptions MoveTime = new() { Timeout = 90_000 };
    private static readonly LocatorAssertionsToHaveCountOptions Patience = new() { Timeout = 20_000 };

    [Fact]
    public async Task a_move_scheduled_in_the_console_reaches_done_with_its_steps_in_the_events_and_a_second_move_is_cancelled_in_the_browser()
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

        // Each recorded step of the first move streamed into the events feed, with a filter of its own.
        await page.ClickAsync("a[href='/events']");
        await page.ClickAsync($"[data-testid='kind-{FleetEventKinds.MigrationStep}']");
        foreach (var step in new[] { MigrationStates.AddingLearner, MigrationStates.Swapping, MigrationStates.CleaningUp, MigrationStates.Done })
        {
            await Expect(page.Locator("[data-testid='event']", new() { HasText = $"{firstId}: shard-0 from {source} to {firstTarget}: {step}" })).ToHaveCountAsync(1, Patience);
        }

        await BrowserCluster.ScreenshotAsync(page, "migrations-events");

        // The second starts from the target's "Move a replica here" and is cancelled in the browser before its swap. 32 MiB
        // in shard-1 make the learner's catch-up last, and the target is frozen (SIGSTOP) as soon as the cluster lists the
        // move, so the learner takes nothing more: the move waits before its swap for as long as the test needs.
        // The cluster balances itself: after the first move its placement driver may move another replica back to even
        // the nodes out. The second move is chosen from the map once no move has started for a while.
        await SettledAsync(fleet.Api, cancellation);
        var second = (await fleet.Api.GetShardsAsync(cancellation)).Single(s => s.Id == 1);
        var secondTarget = NodeWithout(second);
        var targetNode = fleet.Cluster.Nodes.Single(n => n.NodeId == secondTarget);
        // Asked through a node other than the one to be frozen.
        using var http = new HttpClient { BaseAddress = fleet.Cluster.Nodes.First(n => n != targetNode).BaseAddress, Timeout = TimeSpan.FromSeconds(10) };
        var api = NodeNomadClient.Create(http);
        await FillAsync(api, second, 32L * 1024 * 1024, cancellation);
        await page.GotoAsync(new Uri(fleet.Console.BaseAddress, $"/nodes/{secondTarget}").ToString());
        await page.ClickAsync("[data-testid='move-replica-here']");
        await page.WaitForURLAsync($"**/migrations?target={secondTarget}");
        await ChooseAsync(page, "migrate-shard", "shard-1");
        var listed = MoveOfAsync(api, 1, cancellation);
        await page.ClickAsync("[data-testid='migrate-submit']");
        var secondId = await ScheduledAsync(page);
        await listed;
        await targetNode.PauseAsync();
        try
        {
            var held = await api.GetMigrationAsync(secondId, cancellation);
            MigrationStates.IsCancellable(held.State).ShouldBeTrue($"{secondId} is {held.State} once its target is frozen: it was too quick to be cancelled");

            var cancel = page.Locator($"[data-testid='migration-row'][data-id='{secondId}'] [data-testid='cancel-migration']:not([disabled])");
            await Expect(cancel).ToBeVisibleAsync();
            await cancel.ClickAsync();
            var confirm = page.Locator(".mud-dialog button", new() { HasText = "Cancel move" });
            await Expect(confirm).ToBeVisibleAsync();
            await BrowserCluster.ScreenshotAsync(page, "migrations-cancel-confirmation");
            await confirm.ClickAsync();
            await Expect(page.Locator($"[data-testid='migration-row'][data-id='{secondId}'] [data-testid='cancel-requested']").Or(
                page.Locator($"[data-testid='history-row'][data-id='{secondId}']"))).ToBeVisibleAsync();

            var ended = page.Locator($"[data-testid='history-row'][data-id='{secondId}']");
            await Expect(ended).ToHaveAttributeAsync("data-state", MigrationStates.Cancelled, MoveTime);
            await BrowserCluster.ScreenshotAsync(page, "migrations-history");
        }
        finally
        {
            await targetNode.ResumeAsync();
        }

        var after = await api.GetMigrationAsync(secondId, cancellation);
        after.State.ShouldBe(MigrationStates.Cancelled);
        after.CancelRequested.ShouldBeTrue();

        // The matrix ends as it began: the target holds nothing of shard-1.
        await page.ClickAsync("a[href='/shards']");
        var targetCell = page.Locator($"[data-testid='shard-row'][data-shard='1'] [data-testid='matrix-cell'][data-node='{secondTarget}']");
        await Expect(targetCell).ToHaveAttributeAsync("data-role", new Regex("^$"), MoveTime);
        await Expect(page.Locator("[data-testid='shard-moving']")).ToHaveCountAsync(0, Patience);
    }

    /// <summary>Writes 256 KiB values of keys that fall in <paramref name="shard"/> until it holds <paramref name="bytes"/>.</summary>
    private static async Task FillAsync(NodeNomadClient api, ShardInfo shard, long bytes, CancellationToken cancellation)
    {
        var start = ulong.Parse(shard.RangeStart, NumberStyles.HexNumber, CultureInfo.InvariantCulture);
        var end = ulong.Parse(shard.RangeEnd, NumberStyles.HexNumber, CultureInfo.InvariantCulture);
        var value = new string('f', 256 * 1024);
        var keys = Enumerable.Range(0, 100_000).Select(i => $"fill-{i}").Where(k => KeyPosition.Of(k) >= start && KeyPosition.Of(k) <= end)
            .Take((int)(bytes / value.Length)).ToList();
        await Parallel.ForEachAsync(keys, new ParallelOptions { MaxDegreeOfParallelism = 4, CancellationToken = cancellation },
            async (key, ct) => await api.SetAsync(key, value, cancellationToken: ct));
    }

    /// <summary>Polls the cluster until it lists a move of <paramref name="shardId"/> in flight.</summary>
    private static async Task MoveOfAsync(NodeNomadClient api, int shardId, CancellationToken cancellation)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (DateTime.UtcNow < deadline)
        {
            var migrations = await api.GetMigrationsAsync(cancellation);
            if (migrations.Any(m => m.ShardId == shardId && !MigrationStates.IsFinal(m.State)))
            {
                return;
            }

            await Task.Delay(10, cancellation);
        }

        throw new TimeoutException($"The cluster listed no move of shard-{shardId} within 30 s.");
    }

    /// <summary>
    /// Waits until no move is in flight and none has started for 10 s (three of the placement driver's rounds and
    /// the rebalancer's interval): the map the test picks from then stays as it is.
    /// </summary>
    private static async Task SettledAsync(NodeNomadClient api, CancellationToken cancellation)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromMinutes(2);
        var quietSince = DateTime.UtcNow;
        var known = -1;
        while (DateTime.UtcNow < deadline)
        {
            var migrations = await api.GetMigrationsAsync(cancellation);
            if (migrations.Count != known || migrations.Any(m => !MigrationStates.IsFinal(m.State)))
            {
                known = migrations.Count;
                quietSince = DateTime.UtcNow;
            }
            else if (DateTime.UtcNow - quietSince >= TimeSpan.FromSeconds(10))
            {
                return;
            }

            await Task.Delay(250, cancellation);
        }

        throw new TimeoutException("The cluster kept moving replicas for 2 minutes after the first move.");
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

    [GeneratedRegex("^(leader|follower)$")]
    private static partial Regex VotingRole();
}
