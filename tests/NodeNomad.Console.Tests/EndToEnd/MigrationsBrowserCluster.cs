using System.Globalization;
using Microsoft.Playwright;
using NodeNomad.Client;
using NodeNomad.Testing;

namespace NodeNomad.Console.Tests.EndToEnd;

/// <summary>
/// Four real nodes holding two shards at three replicas each, so every shard has a node to move to, reporting to a real
/// console process, and Debian's Chromium driven by Playwright. Everything is started here and stopped on dispose.
/// </summary>
public sealed class MigrationsBrowserCluster : IAsyncLifetime
{
    private IPlaywright? _playwright;
    private HttpClient? _http;

    public LocalCluster Cluster { get; private set; } = null!;

    public ConsoleProcess Console { get; private set; } = null!;

    public IBrowser Browser { get; private set; } = null!;

    /// <summary>A client of node-1's REST API, to check what the console shows against what the cluster says.</summary>
    public NodeNomadClient Api { get; private set; } = null!;

    public async ValueTask InitializeAsync()
    {
        try
        {
            var consolePort = NodeProcess.FreePort();
            Cluster = await LocalCluster.StartAsync(4, new Dictionary<string, string>
            {
                ["CONSOLE_URL"] = $"http://127.0.0.1:{consolePort.ToString(CultureInfo.InvariantCulture)}",
                ["SHARD_COUNT"] = "2",
                ["REPLICATION_FACTOR"] = "3",
            });
            await Cluster.WaitForLeaderAsync(TimeSpan.FromSeconds(30));
            await BrowserCluster.WriteSomeKeysAsync(Cluster.Nodes[0], "seed", 50);
            _http = new HttpClient { BaseAddress = Cluster.Nodes[0].BaseAddress, Timeout = TimeSpan.FromSeconds(10) };
            Api = NodeNomadClient.Create(_http);
            Console = await ConsoleProcess.StartAsync(consolePort, new Dictionary<string, string>
            {
                ["CONSOLE_ADMIN_PASSWORD"] = BrowserCluster.Password,
                ["CLUSTER_SECRET"] = BrowserCluster.ClusterSecret,
                ["CLUSTER_URLS"] = string.Join(',', Cluster.Nodes.Select(n => n.BaseAddress.ToString().TrimEnd('/'))),
            });
            _playwright = await Playwright.CreateAsync();
            Browser = await _playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
            {
                ExecutablePath = BrowserCluster.ChromiumPath,
                Headless = true,
                Args = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"],
            });
            Directory.CreateDirectory(BrowserCluster.ScreenshotFolder);
        }
        catch
        {
            await DisposeAsync();
            throw;
        }
    }

    /// <summary>A new browser page, signed in to the console, on the overview.</summary>
    public async Task<IPage> SignedInPageAsync()
    {
        var context = await Browser.NewContextAsync(new BrowserNewContextOptions { ViewportSize = new ViewportSize { Width = 1440, Height = 900 } });
        var page = await context.NewPageAsync();
        page.SetDefaultTimeout(20_000);
        await page.GotoAsync(new Uri(Console.BaseAddress, "/").ToString());
        await page.WaitForURLAsync("**/login**");
        await page.FillAsync("#password", BrowserCluster.Password);
        await page.ClickAsync("[data-testid='signin']");
        await page.WaitForSelectorAsync("[data-testid='overview-nodes']");
        return page;
    }

    public async ValueTask DisposeAsync()
    {
        if (Browser is not null)
        {
            await Browser.DisposeAsync();
        }

        _playwright?.Dispose();
        _http?.Dispose();
        if (Console is not null)
        {
            await Console.DisposeAsync();
        }

        if (Cluster is not null)
        {
            await Cluster.DisposeAsync();
        }
    }
}
