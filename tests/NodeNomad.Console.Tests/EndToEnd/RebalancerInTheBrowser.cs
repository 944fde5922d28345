using System.Globalization;
using System.Text.RegularExpressions;
using Microsoft.Playwright;
using NodeNomad.Client;
using NodeNomad.Contracts;
using static Microsoft.Playwright.Assertions;

namespace NodeNomad.Console.Tests.EndToEnd;

/// <summary>
/// An operator changes the rebalancer's settings from the console in Chromium, and reads why it decided what it did,
/// against four real nodes.
/// </summary>
public sealed partial class RebalancerInTheBrowser(MigrationsBrowserCluster fleet) : IClassFixture<MigrationsBrowserCluster>
{
    private static readonly LocatorAssertionsToHaveCountOptions Patience = new() { Timeout = 20_000 };

    [Fact]
    public async Task a_setting_changed_on_the_rebalancer_page_is_applied_by_the_cluster_and_every_node_has_a_load_bar()
    {
        var cancellation = TestContext.Current.CancellationToken;
        var page = await fleet.SignedInPageAsync();

        await page.ClickAsync("a[href='/rebalancer']");
        await page.WaitForSelectorAsync("[data-testid='rebalancer-form']");
        var threshold = page.Locator("[data-testid='rebalancer-threshold'] input, input[data-testid='rebalancer-threshold']");
        await Expect(threshold).ToHaveValueAsync("1.25");
        await Expect(page.Locator("[data-testid='node-load']")).ToHaveCountAsync(4, Patience);

        // A hysteresis above the threshold is refused before anything is sent.
        var hysteresis = page.Locator("[data-testid='rebalancer-hysteresis'] input, input[data-testid='rebalancer-hysteresis']");
        await hysteresis.FillAsync("1.5");
        await Expect(page.Locator("[data-testid='rebalancer-form']")).ToContainTextAsync("below the threshold");
        await Expect(page.Locator("[data-testid='rebalancer-save']")).ToBeDisabledAsync();

        await threshold.FillAsync("1.6");
        await page.Locator("[data-testid='rebalancer-enabled'] input, input[data-testid='rebalancer-enabled']").ClickAsync();
        await Expect(page.Locator("[data-testid='rebalancer-save']")).ToBeEnabledAsync();
        await page.ClickAsync("[data-testid='rebalancer-save']");

        await Expect(page.Locator("[data-testid='rebalancer-saved']")).ToContainTextAsync(SavedOff());
        await BrowserCluster.ScreenshotAsync(page, "rebalancer");
        var applied = await fleet.Api.GetRebalancerAsync(cancellation);
        applied.Settings.Enabled.ShouldBeFalse();
        applied.Settings.Threshold.ShouldBe(1.6);
        applied.Settings.Hysteresis.ShouldBe(1.5);
        applied.IsDefault.ShouldBeFalse();

        // And on again, from the same switch.
        await page.Locator("[data-testid='rebalancer-enabled'] input, input[data-testid='rebalancer-enabled']").ClickAsync();
        await Expect(page.Locator("[data-testid='rebalancer-save']")).ToBeEnabledAsync();
        await page.ClickAsync("[data-testid='rebalancer-save']");
        await Expect(page.Locator("[data-testid='rebalancer-saved']")).ToContainTextAsync(SavedOn());
        var on = await fleet.Api.GetRebalancerAsync(cancellation);
        on.Settings.Enabled.ShouldBeTrue();
        on.Settings.Threshold.ShouldBe(1.6);
    }

    [Fact(Timeout = 150_000)]
    public async Task a_decision_on_a_node_made_hot_by_one_shards_writes_shows_on_the_page_with_the_reason_the_cluster_logged()
    {
        var cancellation = TestContext.Current.CancellationToken;
        var before = (await fleet.Api.GetRebalancerAsync(cancellation)).Settings;
        var started = DateTimeOffset.UtcNow;
        await fleet.Api.SetRebalancerAsync(new RebalancerSettingsRequest(Enabled: true, IntervalSeconds: 1, Dimension: "requests", Threshold: 1.25, Hysteresis: 1.1), cancellation);
        try
        {
            // Every write goes to shard-0, whose leader commits them all: its node serves every request of the cluster,
            // about four times the mean, and the rebalancer decides about it: it hands the leadership to another voter
            // when that leaves the other no hotter, else holds (moving would only make another node as hot).
            RebalancerDecisionInfo decision;
            using (var writing = CancellationTokenSource.CreateLinkedTokenSource(cancellation))
            {
                var writes = WriteToShardAsync(0, writing.Token);
                try
                {
                    decision = await DecisionAboutAHotNodeAsync(started, cancellation);
                }
                finally
                {
                    await writing.CancelAsync();
                    await writes;
                }
            }

            // Off, the rebalancer decides nothing more: the log stays as it is while the page is read.
            await fleet.Api.SetRebalancerAsync(new RebalancerSettingsRequest(Enabled: false), cancellation);
            var logged = (await fleet.Api.GetRebalancerDecisionsAsync(null, cancellation)).Single(d => d.Id == decision.Id);
            var expected = logged.Reason + (logged.MigrationId is { } migration ? $" ({migration})" : string.Empty);

            var page = await fleet.SignedInPageAsync();
            await page.ClickAsync("a[href='/rebalancer']");
            var row = page.Locator($"[data-testid='decision-row'][data-id='{logged.Id}']");
            await Expect(row.Locator("[data-testid='decision-reason']")).ToHaveTextAsync(expected, new() { Timeout = 20_000 });
            await BrowserCluster.ScreenshotAsync(page, "rebalancer-decision");

            var shown = (await row.Locator("[data-testid='decision-reason']").InnerTextAsync()).Trim();
            shown.ShouldBe(expected, "the page shows the reason the cluster's decision log holds");
            shown.ShouldContain($"{logged.SourceNodeId} serves");
            (await row.GetAttributeAsync("data-action")).ShouldBe(logged.Action);
            var rejected = await row.Locator("td").Nth(3).InnerTextAsync();
            foreach (var move in logged.Rejected)
            {
                rejected.ShouldContain(move);
            }
        }
        finally
        {
            await fleet.Api.SetRebalancerAsync(new RebalancerSettingsRequest(before.Enabled, before.IntervalSeconds, before.Dimension, before.Threshold, before.Hysteresis,
                before.CooldownSeconds, before.MaxConcurrentMoves), CancellationToken.None);
        }
    }

    /// <summary>Writes to keys of shard <paramref name="shardId"/>, four at a time, until cancelled.</summary>
    private async Task WriteToShardAsync(int shardId, CancellationToken cancellation)
    {
        var shard = (await fleet.Api.GetShardsAsync(cancellation)).Single(s => s.Id == shardId);
        var start = ulong.Parse(shard.RangeStart, NumberStyles.HexNumber, CultureInfo.InvariantCulture);
        var end = ulong.Parse(shard.RangeEnd, NumberStyles.HexNumber, CultureInfo.InvariantCulture);
        var keys = Enumerable.Range(0, 10_000).Select(i => $"hot-{i}").Where(k => KeyPosition.Of(k) >= start && KeyPosition.Of(k) <= end).Take(40).ToList();
        var leader = fleet.Cluster.Nodes.FirstOrDefault(n => n.NodeId == shard.LeaderId) ?? fleet.Cluster.Nodes[0];
        using var http = new HttpClient { BaseAddress = leader.BaseAddress, Timeout = TimeSpan.FromSeconds(10) };
        var api = NodeNomadClient.Create(http);
        try
        {
            await Task.WhenAll(Enumerable.Range(0, 4).Select(async writer =>
            {
                for (var i = writer; !cancellation.IsCancellationRequested; i += 4)
                {
                    await api.SetAsync(keys[i % keys.Count], $"write {i}", cancellationToken: cancellation);
                }
            }));
        }
        catch (OperationCanceledException) when (cancellation.IsCancellationRequested)
        {
        }
    }

    /// <summary>
    /// Polls the decision log until it holds a decision about a hot node (a move, or a hold) taken since
    /// <paramref name="since"/>, and returns the newest. The only load since then is the test's.
    /// </summary>
    private async Task<RebalancerDecisionInfo> DecisionAboutAHotNodeAsync(DateTimeOffset since, CancellationToken cancellation)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(90);
        while (DateTime.UtcNow < deadline)
        {
            var decisions = await fleet.Api.GetRebalancerDecisionsAsync(null, cancellation);
            if (decisions.FirstOrDefault(d => d.At >= since && d.Action is ("leadership" or "replica" or "hold")) is { } decision)
            {
                return decision;
            }

            await Task.Delay(250, cancellation);
        }

        throw new TimeoutException("The rebalancer logged no decision about a hot node within 90 s of the writes to one shard.");
    }

    [GeneratedRegex("the rebalancer is off, balancing requests above 1\\.6× the mean")]
    private static partial Regex SavedOff();

    [GeneratedRegex("the rebalancer is on, balancing requests above 1\\.6× the mean")]
    private static partial Regex SavedOn();
}
