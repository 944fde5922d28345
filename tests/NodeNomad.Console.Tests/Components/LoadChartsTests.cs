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
}
