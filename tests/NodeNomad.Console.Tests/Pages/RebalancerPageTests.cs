using System.Net;
using Bunit;
using MudBlazor;
using NodeNomad.Console.Components.Pages;
using NodeNomad.Contracts;
using NodeNomad.Contracts.Fleet;

namespace NodeNomad.Console.Tests.Pages;

public sealed class RebalancerPageTests
{
    private readonly ManualClock _clock = new();

    private static RebalancerDecisionInfo Decision(string id, string action, string reason, DateTimeOffset at, params string[] rejected) =>
        new(id, at, action, "writes", 5, "shard-5", "node-2", "node-4", reason,
            [new RebalancerFigureInfo("node-2", 240, 1, 2.4), new RebalancerFigureInfo("node-4", 20, 1, 0.2)], rejected, 1, null);

    [Fact]
    public async Task the_form_shows_the_clusters_settings_and_saving_sends_what_was_changed()
    {
        var node = new FakeNodeNomadApi();
        await using var context = Moves.Context(_clock, Moves.FourNodes(_clock), node);
        var cut = context.Render<Rebalancer>();
        cut.Field("rebalancer-threshold").GetAttribute("value").ShouldBe("1.25");

        cut.Field("rebalancer-threshold").Input("1.5");
        cut.Field("rebalancer-enabled").Change(false);
        cut.ById("rebalancer-save").Click();

        cut.WaitForAssertion(() => node.Calls.ShouldContain("rebalancer enabled=False threshold=1.5 hysteresis=1.1 dimension=requests"));
        cut.WaitForAssertion(() => cut.ById("rebalancer-saved").TextContent.ShouldContain("the rebalancer is off, balancing requests above 1.5× the mean"));
        node.Rebalancer.Settings.Enabled.ShouldBeFalse();
    }

    [Fact]
    public async Task a_hysteresis_not_below_the_threshold_is_named_and_nothing_is_sent()
    {
        var node = new FakeNodeNomadApi();
        await using var context = Moves.Context(_clock, Moves.FourNodes(_clock), node);
        var cut = context.Render<Rebalancer>();

        cut.Field("rebalancer-hysteresis").Input("1.3");

        cut.WaitForAssertion(() => cut.Markup.ShouldContain("At least 1 and below the threshold"));
        cut.ById("rebalancer-save").HasAttribute("disabled").ShouldBeTrue();
        node.Calls.ShouldNotContain(c => c.StartsWith("rebalancer", StringComparison.Ordinal));
    }

    [Fact]
    public async Task settings_the_cluster_refuses_show_its_reason()
    {
        var node = new FakeNodeNomadApi { RebalancerRefusal = (HttpStatusCode.BadRequest, "weights must map node ids to weights between 1 and 1000 (got node-9: 0).") };
        await using var context = Moves.Context(_clock, Moves.FourNodes(_clock), node);
        var cut = context.Render<Rebalancer>();

        cut.ById("rebalancer-save").Click();

        cut.WaitForAssertion(() => cut.ById("rebalancer-refusal").TextContent.ShouldContain("weights must map node ids to weights between 1 and 1000 (got node-9: 0)."));
    }

    [Fact]
    public async Task the_decision_log_lists_each_decision_with_its_reason_and_the_moves_it_rejected()
    {
        var node = new FakeNodeNomadApi();
        var now = _clock.GetUtcNow();
        node.Decisions.Add(Decision("r2", "leadership", "node-2 serves 2.4× the mean writes/s; moving the leadership of shard-5 to node-4", now,
            "leadership of shard-3: shard-3 moved 40 s ago; its cooldown is 120 s"));
        node.Decisions.Add(Decision("r1", "hold", "node-2 serves 2.3× the mean writes/s; 1 move(s) in flight, the cap is 1: waiting", now.AddSeconds(-10)));
        await using var context = Moves.Context(_clock, Moves.FourNodes(_clock), node);
        var cut = context.Render<Rebalancer>();

        var rows = cut.FindAll("[data-testid='decision-row']");
        rows.Select(r => r.GetAttribute("data-id")).ShouldBe(["r2", "r1"], "newest first");
        rows[0].TextContent.ShouldContain("moving the leadership of shard-5 to node-4");
        rows[0].TextContent.ShouldContain("shard-3 moved 40 s ago; its cooldown is 120 s");
        rows[1].GetAttribute("data-action").ShouldBe("hold");
        rows[0].QuerySelector("[data-testid='decision-reason']")!.GetAttribute("title").ShouldBe("node-2: 240 writes, weight 1, 2.40× the mean\nnode-4: 20 writes, weight 1, 0.20× the mean");
    }

    [Fact]
    public async Task a_decision_pushed_to_the_console_shows_without_waiting_for_the_refresh()
    {
        var node = new FakeNodeNomadApi();
        var fleet = Moves.FourNodes(_clock);
        await using var context = Moves.Context(_clock, fleet, node);
        var cut = context.Render<Rebalancer>();
        cut.FindAll("[data-testid='decision-row']").ShouldBeEmpty();

        node.Decisions.Insert(0, Decision("r3", "replica", "node-2 serves 2.4× the mean writes/s; moving its replica of shard-5 to node-4", _clock.GetUtcNow()));
        fleet.ReportEvent(new FleetEvent(FleetEventKinds.RebalancerDecision, "node-1", "node-4", "node-2 serves 2.4× the mean writes/s", _clock.GetUtcNow(), 5));

        cut.WaitForAssertion(() => cut.Find("[data-testid='decision-row'][data-id='r3']").TextContent.ShouldContain("moving its replica of shard-5 to node-4"));
    }

    [Fact]
    public async Task each_node_has_a_load_bar_and_a_hot_one_shows_in_red()
    {
        var node = new FakeNodeNomadApi();
        node.Rebalancer = node.Rebalancer with
        {
            Nodes =
            [
                new RebalancerNodeInfo("node-1", true, 1, 240, 2.4, 0, 240, 1000, 10, 3),
                new RebalancerNodeInfo("node-2", true, 1, 60, 0.6, 0, 60, 1000, 10, 1),
                new RebalancerNodeInfo("node-3", false, 1, 0, 0, 0, 0, 1000, 10, 0),
            ],
        };
        await using var context = Moves.Context(_clock, Moves.FourNodes(_clock), node);
        var cut = context.Render<Rebalancer>();

        var bars = cut.FindAll("[data-testid='node-load']");
        bars.Select(b => b.GetAttribute("data-node")).ShouldBe(["node-1", "node-2", "node-3"]);
        bars[0].TextContent.ShouldContain("2.40× the mean");
        bars[0].QuerySelector(".mud-progress-linear")!.ClassList.ShouldContain("mud-progress-linear-color-error");
        bars[1].QuerySelector(".mud-progress-linear")!.ClassList.ShouldContain("mud-progress-linear-color-primary");
        bars[2].TextContent.ShouldContain("not eligible");
    }
}
