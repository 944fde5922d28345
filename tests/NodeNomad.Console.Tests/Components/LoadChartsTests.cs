using Bunit;
using NodeNomad.Console.Components.Shared;
using NodeNomad.Console.Fleet;

namespace NodeNomad.Console.Tests.Components;

public sealed class LoadChartsTests
{
    [Fact]
    public async Task each_chart_names_the_latest_sample_and_draws_a_line()
    {
        await using var context = ConsoleComponents.Context(new FleetState(new ManualClock()));
        var at = DateTimeOffset.UnixEpoch;
        LoadSample[] history = [new(at, 10, 4, 1.5), new(at.AddSeconds(1), 30, 8, 2.25)];

        var cut = context.Render<LoadCharts>(p => p.Add(c => c.History, history));

        cut.Find("[data-testid='chart-reads'] [data-testid='chart-latest']").TextContent.ShouldBe("30/s");
        cut.Find("[data-testid='chart-writes'] [data-testid='chart-latest']").TextContent.ShouldBe("8/s");
        cut.Find("[data-testid='chart-p99'] [data-testid='chart-latest']").TextContent.ShouldBe("2.25 ms");
        cut.FindAll("svg").Count.ShouldBeGreaterThanOrEqualTo(3);
    }

    [Fact]
    public async Task an_empty_history_shows_zeros()
    {
        await using var context = ConsoleComponents.Context(new FleetState(new ManualClock()));

        var cut = context.Render<LoadCharts>(p => p.Add(c => c.History, []));

        cut.Find("[data-testid='chart-reads'] [data-testid='chart-latest']").TextContent.ShouldBe("0/s");
    }

    [Fact]
    public async Task the_charts_name_their_units_and_can_draw_a_line_per_node()
    {
        await using var context = ConsoleComponents.Context(new FleetState(new ManualClock()));
        var at = DateTimeOffset.UnixEpoch;
        var nodes = new Dictionary<string, NodeLoad> { ["node-1"] = new(10, 2, 1), ["node-2"] = new(20, 6, 2) };
        LoadSample[] history = [new(at, 30, 8, 2) { Nodes = nodes }, new(at.AddSeconds(1), 30, 8, 2) { Nodes = nodes }];
        var cut = context.Render<LoadCharts>(p => p.Add(c => c.History, history));
        cut.Find("[data-testid='chart-reads'] [data-testid='chart-axes']").TextContent.ShouldContain("reads per second");
        cut.Find("[data-testid='chart-p99'] [data-testid='chart-axes']").TextContent.ShouldContain("milliseconds");
        var before = cut.Find("[data-testid='chart-reads']").InnerHtml;
        before.ShouldNotContain("node-2");

        cut.Field("per-node").Change(true);

        cut.WaitForAssertion(() => cut.Find("[data-testid='chart-reads']").InnerHtml.ShouldContain("node-2"));
    }

    [Fact]
    public async Task the_window_chooses_how_much_history_is_drawn()
    {
        await using var context = ConsoleComponents.Context(new FleetState(new ManualClock()));
        var at = DateTimeOffset.UnixEpoch;
        LoadSample[] history = [.. Enumerable.Range(0, 600).Select(i => new LoadSample(at.AddSeconds(i), i, 0, 0))];
        var cut = context.Render<LoadCharts>(p => p.Add(c => c.History, history));
        cut.Find("[data-testid='chart-reads'] [data-testid='chart-axes']").TextContent.ShouldContain("the last 5 min");

        cut.ById("window-60").Click();

        cut.Find("[data-testid='chart-reads'] [data-testid='chart-axes']").TextContent.ShouldContain("the last 1 min");
    }
}
