using NodeNomad.Client;
using NodeNomad.Testing;
using static Microsoft.Playwright.Assertions;

namespace NodeNomad.Console.Tests.EndToEnd;

/// <summary>Three nodes and the console, every port on TLS: the nodes report over https, the console reads them over https.</summary>
public sealed class TlsBrowserCluster() : BrowserCluster(tls: true);

/// <summary>
/// The console and a three-node cluster with TLS on every port (client, peer, console): an operator signs in over
/// https, sees every node up (reported to the console's hub over TLS) and works with keys (the console calls the
/// nodes over TLS, trusting only the cluster's authority); nothing is served in clear.
/// </summary>
public sealed class ConsoleOverTlsInTheBrowser(TlsBrowserCluster fleet) : IClassFixture<TlsBrowserCluster>
{
    private static readonly Microsoft.Playwright.LocatorAssertionsToHaveCountOptions Patience = new() { Timeout = 20_000 };

    [Fact]
    public async Task an_operator_signs_in_over_https_sees_every_node_and_writes_a_key_that_the_nodes_serve_over_tls()
    {
        fleet.Console.BaseAddress.Scheme.ShouldBe(Uri.UriSchemeHttps);
        fleet.Cluster.Nodes.ShouldAllBe(n => n.BaseAddress.Scheme == Uri.UriSchemeHttps);
        var page = await fleet.SignedInPageAsync();
        await Expect(page.Locator("[data-testid='overview-node'][data-state='up']")).ToHaveCountAsync(3, Patience);
        fleet.Cluster.Nodes.ShouldAllBe(n => n.Output.Contains("Reporting to the console's fleet hub at https://", StringComparison.Ordinal));

        var key = $"tls-e2e-{Guid.NewGuid():N}"[..20];
        await page.ClickAsync("a[href='/keys']");
        await page.WaitForSelectorAsync("[data-testid='keys-table']");
        await page.ClickAsync("[data-testid='new-key']");
        await page.FillAsync("[data-testid='edit-key'] input, input[data-testid='edit-key']", key);
        await page.FillAsync("[data-testid='edit-value'] textarea, textarea[data-testid='edit-value']", "over tls");
        await page.ClickAsync("[data-testid='save-key']");
        await Expect(page.Locator("[data-testid='detail-value']")).ToHaveTextAsync("over tls");
        await BrowserCluster.ScreenshotAsync(page, "tls-keys");
        fleet.FailedResponses(page).ShouldBeEmpty();

        var node = fleet.Cluster.Nodes[2];
        using var http = new HttpClient(node.Handler()) { BaseAddress = node.BaseAddress, Timeout = TimeSpan.FromSeconds(10) };
        (await NodeNomadClient.Create(http).GetAsync(key, TestContext.Current.CancellationToken))!.Value.ShouldBe("over tls");
    }

    [Fact]
    public async Task the_console_serves_nothing_in_clear()
    {
        using var plain = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
        var console = fleet.Console.BaseAddress;
        await Should.ThrowAsync<HttpRequestException>(() => plain.GetAsync(new Uri($"http://127.0.0.1:{console.Port}/login"), TestContext.Current.CancellationToken));
        using var trusting = new HttpClient(fleet.Console.Handler()) { Timeout = TimeSpan.FromSeconds(5) };
        using var page = await trusting.GetAsync(new Uri(console, "/login"), TestContext.Current.CancellationToken);
        page.StatusCode.ShouldBe(System.Net.HttpStatusCode.OK);
    }
}
