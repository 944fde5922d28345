using Bunit;
using TestContext = Xunit.TestContext;
using Microsoft.AspNetCore.SignalR.Client;
using Microsoft.Extensions.DependencyInjection;
using NodeNomad.Console.Components.Pages;
using NodeNomad.Console.Fleet;
using NodeNomad.Contracts.Fleet;

namespace NodeNomad.Console.Tests.Hosting;

public sealed class FleetHubTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(10);

    [Fact]
    public async Task a_status_pushed_by_a_node_reaches_the_rendered_nodes_page()
    {
        await using var host = new ConsoleHost();
        var fleet = host.Services.GetRequiredService<FleetState>();
        await using var context = ConsoleComponents.Context(fleet);
        var page = context.Render<Nodes>();
        await using var node = host.FakeNode(ConsoleHost.Secret);
        await node.StartAsync(TestContext.Current.CancellationToken);

        await node.SendAsync(FleetProtocol.ReportStatus, Fleets.Report("node-5", DateTimeOffset.UtcNow, role: "leader", leaderId: "node-5"),
            TestContext.Current.CancellationToken);

        page.WaitForAssertion(() =>
        {
            var row = page.Find("[data-testid='node-row'][data-node='node-5']");
            row.QuerySelector("[data-testid='node-state']")!.GetAttribute("data-state").ShouldBe("up");
            row.TextContent.ShouldContain("42 keys");
        }, Patience);
    }

    [Fact]
    public async Task an_event_pushed_by_a_node_reaches_the_rendered_events_page()
    {
        await using var host = new ConsoleHost();
        var fleet = host.Services.GetRequiredService<FleetState>();
        await using var context = ConsoleComponents.Context(fleet);
        var page = context.Render<Events>();
        await using var node = host.FakeNode(ConsoleHost.Secret);
        await node.StartAsync(TestContext.Current.CancellationToken);

        await node.SendAsync(FleetProtocol.ReportEvent,
            Fleets.Event(FleetEventKinds.LeaderChanged, "node-5", DateTimeOffset.UtcNow, "node-5 leads shard 0 in term 9", reporter: "node-5"),
            TestContext.Current.CancellationToken);

        page.WaitForAssertion(() => page.ById("event-feed").TextContent.ShouldContain("node-5 leads shard 0 in term 9"), Patience);
    }

    [Theory]
    [InlineData("not-the-secret")]
    [InlineData(null)]
    public async Task a_caller_without_the_cluster_secret_is_refused(string? token)
    {
        await using var host = new ConsoleHost();
        await using var node = host.FakeNode(token);

        var refused = await Should.ThrowAsync<HttpRequestException>(() => node.StartAsync(TestContext.Current.CancellationToken));

        refused.StatusCode.ShouldBe(System.Net.HttpStatusCode.Unauthorized);
        host.Services.GetRequiredService<FleetState>().Current.Nodes.ShouldBeEmpty();
    }
}
