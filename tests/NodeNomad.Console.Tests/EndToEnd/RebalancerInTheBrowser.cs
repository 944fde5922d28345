using System.Text.RegularExpressions;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace NodeNomad.Console.Tests.EndToEnd;

/// <summary>An operator changes the rebalancer's settings from the console in Chromium, against four real nodes.</summary>
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
    }

    [GeneratedRegex("the rebalancer is off, balancing requests above 1\\.6× the mean")]
    private static partial Regex SavedOff();
}
