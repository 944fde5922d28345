using System.Globalization;
using Microsoft.Playwright;
using NodeNomad.Testing;

namespace NodeNomad.Console.Tests.EndToEnd;

/// <summary>
/// Three real node processes reporting to a real console process, and Debian's Chromium driven by Playwright, shared
/// by the browser tests. Everything is started here and stopped on dispose.
/// </summary>
public class BrowserCluster : IAsyncLifetime
{
    private readonly TestCertificates? _certificates;

    public BrowserCluster()
        : this(tls: false)
    {
    }

    /// <summary>With <paramref name="tls"/>, every node port and the console serve TLS with a throwaway authority's certificate.</summary>
    protected BrowserCluster(bool tls)
    {
        _certificates = tls ? TestCertificates.Create() : null;
    }

    public const string Password = "e2e-admin-password";

    /// <summary>The secret <see cref="LocalCluster"/> gives its nodes.</summary>
    public const string ClusterSecret = "local-cluster-test-secret";

    public const string ChromiumPath = "/usr/bin/chromium";

    private readonly System.Collections.Concurrent.ConcurrentDictionary<IPage, System.Collections.Concurrent.ConcurrentQueue<string>> _failures = new();
    private IPlaywright? _playwright;

    public LocalCluster Cluster { get; private set; } = null!;

    public ConsoleProcess Console { get; private set; } = null!;

    public IBrowser Browser { get; private set; } = null!;

    /// <summary>
    /// Where the screenshots go: <c>NODENOMAD_SCREENSHOTS</c> when set, else <c>artifacts/console-screenshots</c> in the
    /// repository, which git ignores. The tests never write a tracked file; <c>docs/refresh-images.sh</c> copies the
    /// README's pictures from here.
    /// </summary>
    public static string ScreenshotFolder { get; } = Environment.GetEnvironmentVariable("NODENOMAD_SCREENSHOTS") is { Length: > 0 } folder
        ? Path.GetFullPath(folder)
        : Path.Combine(Repository.Root, "artifacts", "console-screenshots");

    public async ValueTask InitializeAsync()
    {
        try
        {
            await StartAsync();
        }
        catch
        {
            await DisposeAsync();
            throw;
        }
    }

    private async Task StartAsync()
    {
        var consolePort = NodeProcess.FreePort();
        var tls = _certificates?.Settings ?? new Dictionary<string, string>();
        var consoleUrl = $"{(_certificates is null ? "http" : "https")}://127.0.0.1:{consolePort.ToString(CultureInfo.InvariantCulture)}";
        Cluster = await LocalCluster.StartAsync(3, new Dictionary<string, string>(tls) { ["CONSOLE_URL"] = consoleUrl, ["SHARD_COUNT"] = "8" });
        await Cluster.WaitForLeaderAsync(TimeSpan.FromSeconds(30));
        await WriteSomeKeysAsync(Cluster.Nodes[0], "seed", 30);
        Console = await ConsoleProcess.StartAsync(consolePort, new Dictionary<string, string>(tls)
        {
            ["CONSOLE_ADMIN_PASSWORD"] = Password,
            ["CLUSTER_SECRET"] = ClusterSecret,
            ["CLUSTER_URLS"] = string.Join(',', Cluster.Nodes.Select(n => n.BaseAddress.ToString().TrimEnd('/'))),
        });
        _playwright = await Playwright.CreateAsync();
        Browser = await _playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = ChromiumPath,
            Headless = true,
            Args = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"],
        });
        Directory.CreateDirectory(ScreenshotFolder);
    }

    /// <summary>Writes and reads back <paramref name="count"/> keys through <paramref name="node"/>, so the pages have data and load to show.</summary>
    public static async Task WriteSomeKeysAsync(NodeProcess node, string prefix, int count)
    {
        using var http = new HttpClient(node.Handler()) { BaseAddress = node.BaseAddress, Timeout = TimeSpan.FromSeconds(10) };
        var client = NodeNomad.Client.NodeNomadClient.Create(http);
        for (var i = 0; i < count; i++)
        {
            var key = $"{prefix}-{i:00}";
            await client.SetAsync(key, $"value {i} of {prefix}");
            await client.GetAsync(key);
        }
    }

    /// <summary>A new browser page, signed in to the console.</summary>
    public async Task<IPage> SignedInPageAsync()
    {
        // Chromium does not trust a throwaway authority; what a TLS run checks is that the page, its circuit and the
        // hub work over https, so the browser alone is told to accept the certificate.
        var context = await Browser.NewContextAsync(new BrowserNewContextOptions
        {
            ViewportSize = new ViewportSize { Width = 1440, Height = 900 },
            IgnoreHTTPSErrors = _certificates is not null,
        });
        var page = await context.NewPageAsync();
        page.SetDefaultTimeout(20_000);
        var browserLog = new List<string>();
        page.Console += (_, message) => browserLog.Add($"{message.Type}: {message.Text}");
        var failures = _failures.GetOrAdd(page, _ => new());
        page.Response += (_, response) =>
        {
            if (response.Status >= 400)
            {
                failures.Enqueue($"{response.Status} {response.Url}");
            }
        };
        await page.GotoAsync(new Uri(Console.BaseAddress, "/").ToString());
        await page.WaitForURLAsync("**/login**");
        await page.FillAsync("#password", Password);
        await page.ClickAsync("[data-testid='signin']");
        try
        {
            await page.WaitForSelectorAsync("[data-testid='overview-nodes']");
        }
        catch (TimeoutException e)
        {
            await ScreenshotAsync(page, "signin-failed");
            throw new TimeoutException(
                $"The overview did not show after signing in. Page {page.Url}:\n{await page.ContentAsync()}\nBrowser:\n{string.Join('\n', browserLog)}\nConsole:\n{Console.Output}", e);
        }

        return page;
    }

    /// <summary>The responses of 400 and above that <paramref name="page"/> received since it was opened.</summary>
    public IReadOnlyList<string> FailedResponses(IPage page) => _failures.TryGetValue(page, out var failures) ? [.. failures] : [];

    /// <summary>Saves a full-page screenshot in the results folder, attaches it to the test, and returns its bytes.</summary>
    public static async Task<byte[]> ScreenshotAsync(IPage page, string name)
    {
        var path = Path.Combine(ScreenshotFolder, $"{name}.png");
        var image = await page.ScreenshotAsync(new PageScreenshotOptions { Path = path, FullPage = true });
        TestContext.Current.AddAttachment($"{name}.png", image, "image/png");
        return image;
    }

    public async ValueTask DisposeAsync()
    {
        if (Browser is not null)
        {
            await Browser.DisposeAsync();
        }

        _playwright?.Dispose();
        if (Console is not null)
        {
            await Console.DisposeAsync();
        }

        if (Cluster is not null)
        {
            await Cluster.DisposeAsync();
        }

        _certificates?.Dispose();
        GC.SuppressFinalize(this);
    }
}
