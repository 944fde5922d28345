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
    public async Task the_charts_can_draw_a_line_per_node()
    {
        await using var context = ConsoleComponents.Context(new FleetState(new ManualClock()));
        var at = DateTimeOffset.UnixEpoch;
        var nodes = new Dictionary<string, NodeLoad> { ["node-1"] = new(10, 2, 1), ["node-2"] = new(20, 6, 2) };
        LoadSample[] history = [new(at, 30, 8, 2) { Nodes = nodes }, new(at.AddSeconds(1), 30, 8, 2) { Nodes = nodes }];
        var cut = context.Render<LoadCharts>(p => p.Add(c => c.History, history));
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
        cut.Find("[data-testid='chart-reads'] [data-testid='chart-caption']").TextContent.ShouldContain("The last 5 min");

        cut.ById("window-60").Click();

        cut.Find("[data-testid='chart-reads'] [data-testid='chart-caption']").TextContent.ShouldContain("The last 1 min");
    }

    [Fact]
    public async Task each_chart_has_its_unit_on_the_vertical_axis_and_the_time_on_the_horizontal_one()
    {
        await using var context = ConsoleComponents.Context(new FleetState(new ManualClock()));
        var at = DateTimeOffset.UnixEpoch;
        LoadSample[] history = [new(at, 1_200, 40, 1.5), new(at.AddSeconds(1), 2_500, 80, 12)];

        var cut = context.Render<LoadCharts>(p => p.Add(c => c.History, history));

        AxisTitle(cut, "reads", "y").ShouldBe("reads/s");
        AxisTitle(cut, "writes", "y").ShouldBe("writes/s");
        AxisTitle(cut, "p99", "y").ShouldBe("ms");
        AxisTitle(cut, "reads", "x").ShouldBe("time (UTC)");
        AxisTitle(cut, "p99", "x").ShouldBe("time (UTC)");
        cut.Find("[data-testid='chart-p99'] [data-testid='chart-caption']").TextContent.ShouldContain("slowest node");
        cut.Find("[data-testid='chart-reads']").TextContent.ShouldNotContain("Vertical:");

        // The ticks are short numbers: the unit is the axis's.
        var ticks = cut.FindAll("[data-testid='chart-reads'] svg g.mud-charts-yaxis text").Select(t => t.TextContent.Trim()).ToList();
        ticks.ShouldContain("2k");
        ticks.ShouldBeUnique();
        ticks.ShouldAllBe(t => !t.Contains('/'));
    }

    [Fact]
    public void a_tick_is_a_short_number()
    {
        NodeNomad.Console.Components.ChartAxes.Tick(950).ShouldBe("950");
        NodeNomad.Console.Components.ChartAxes.Tick(1.257).ShouldBe("1.26");
        NodeNomad.Console.Components.ChartAxes.Tick(1_500).ShouldBe("1.5k");
        NodeNomad.Console.Components.ChartAxes.Tick(1_276).ShouldBe("1.28k");
        NodeNomad.Console.Components.ChartAxes.Tick(25_000).ShouldBe("25k");
        NodeNomad.Console.Components.ChartAxes.Tick(2_000_000).ShouldBe("2M");
    }

    /// <summary>The title of a chart's <paramref name="axis"/> (x or y): the SVG text of that axis outside its ticks' group.</summary>
    internal static string AxisTitle(IRenderedComponent<LoadCharts> cut, string chart, string axis) =>
        cut.FindAll($"[data-testid='chart-{chart}'] svg text.mud-charts-{axis}axis").ShouldHaveSingleItem().TextContent.Trim();
}
