using Bunit;
using NodeNomad.Console.Components.Pages;
using NodeNomad.Console.Fleet;
using NodeNomad.Contracts;
using NodeNomad.Contracts.Fleet;

namespace NodeNomad.Console.Tests.Pages;

public sealed class EventsPageTests
{
    private static FleetState FleetWithEvents(ManualClock clock)
    {
        var fleet = Fleets.ThreeNodes(clock);
        var at = clock.GetUtcNow();
        fleet.ReportEvent(Fleets.Event(FleetEventKinds.NodeJoined, "node-2", at, "node-2 started"));
        fleet.ReportEvent(Fleets.Event(FleetEventKinds.LeaderChanged, "node-1", at.AddSeconds(1), "node-1 leads shard 0"));
        fleet.ReportEvent(Fleets.Event(FleetEventKinds.NodeUnreachable, "node-3", at.AddSeconds(2), "node-3 does not answer"));
        return fleet;
    }

    [Fact]
    public async Task every_event_is_listed_newest_first()
    {
        var clock = new ManualClock();
        await using var context = ConsoleComponents.Context(FleetWithEvents(clock));

        var cut = context.Render<Events>();

        cut.FindAll("[data-testid='event']").Select(e => e.GetAttribute("data-kind"))
            .ShouldBe([FleetEventKinds.NodeUnreachable, FleetEventKinds.LeaderChanged, FleetEventKinds.NodeJoined]);
    }

    [Fact]
    public async Task the_kind_filter_keeps_one_kind()
    {
        var clock = new ManualClock();
        await using var context = ConsoleComponents.Context(FleetWithEvents(clock));
        var cut = context.Render<Events>();

        cut.ById($"kind-{FleetEventKinds.LeaderChanged}").Click();

        cut.FindAll("[data-testid='event']").Select(e => e.GetAttribute("data-kind")).ShouldBe([FleetEventKinds.LeaderChanged]);
    }

    [Fact]
    public async Task the_text_filter_keeps_events_about_a_node()
    {
        var clock = new ManualClock();
        await using var context = ConsoleComponents.Context(FleetWithEvents(clock));
        var cut = context.Render<Events>();

        cut.Field("text-filter").Input("node-3");

        cut.WaitForAssertion(() => cut.FindAll("[data-testid='event']").Select(e => e.TextContent).ShouldAllBe(t => t.Contains("node-3")));
        cut.FindAll("[data-testid='event']").Count.ShouldBe(1);
    }

    [Fact]
    public async Task a_new_event_appears_live()
    {
        var clock = new ManualClock();
        var fleet = FleetWithEvents(clock);
        await using var context = ConsoleComponents.Context(fleet);
        var cut = context.Render<Events>();

        fleet.ReportEvent(Fleets.Event(FleetEventKinds.NodeJoined, "node-4", clock.GetUtcNow().AddSeconds(3), "node-4 started"));

        cut.WaitForAssertion(() => cut.FindAll("[data-testid='event']")[0].TextContent.ShouldContain("node-4 started"));
    }

    [Fact]
    public async Task a_migrations_steps_stream_in_as_the_cluster_records_them_and_have_a_filter_of_their_own()
    {
        var clock = new ManualClock();
        var fleet = FleetWithEvents(clock);
        await using var context = ConsoleComponents.Context(fleet);
        var cut = context.Render<Events>();
        var at = clock.GetUtcNow().AddSeconds(3);
        MigrationStepInfo Step(string state, double seconds) => new(state, at.AddSeconds(seconds), null);
        MigrationInfo Move(params MigrationStepInfo[] steps) =>
            new("m-1", 0, "shard-0", "node-2", "node-4", steps[^1].State, "manual", "console", false, null, at, steps[^1].At, steps, null);

        fleet.ApplyMigrations([Move(Step(MigrationStates.AddingLearner, 0))]);
        cut.WaitForAssertion(() => cut.FindAll("[data-testid='event']")[0].TextContent.ShouldContain("m-1: shard-0 from node-2 to node-4: adding-learner."));
        fleet.ApplyMigrations([Move(Step(MigrationStates.AddingLearner, 0), Step(MigrationStates.CatchingUp, 0.1), Step(MigrationStates.Swapping, 1))]);
        cut.WaitForAssertion(() => cut.FindAll("[data-testid='event']")[0].TextContent.ShouldContain("swapping"));

        cut.ById($"kind-{FleetEventKinds.MigrationStep}").Click();

        var rows = cut.FindAll("[data-testid='event']").Select(e => e.TextContent).ToList();
        rows.Count.ShouldBe(3);
        rows[0].ShouldContain("swapping");
        rows[1].ShouldContain("catching-up");
        rows[2].ShouldContain("adding-learner");
    }
}
