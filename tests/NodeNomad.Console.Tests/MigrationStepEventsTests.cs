using NodeNomad.Console.Fleet;
using NodeNomad.Contracts;
using NodeNomad.Contracts.Fleet;

namespace NodeNomad.Console.Tests;

/// <summary>The console tells each step a migration records as an event, from the migrations it polls.</summary>
public sealed class MigrationStepEventsTests
{
    private readonly ManualClock _clock = new();

    private static MigrationInfo Move(DateTimeOffset at, params (string State, double Seconds, string? Detail)[] steps) =>
        new("m-1", 0, "shard-0", "node-2", "node-4", steps[^1].State, "manual", "console", false, null, at, at.AddSeconds(steps[^1].Seconds),
            [.. steps.Select(s => new MigrationStepInfo(s.State, at.AddSeconds(s.Seconds), s.Detail))], null);

    private static List<FleetEvent> StepEvents(FleetState fleet) =>
        [.. fleet.Current.Events.Where(e => e.Kind == FleetEventKinds.MigrationStep).Reverse()];

    [Fact]
    public void each_recorded_step_is_one_event_at_the_time_the_cluster_recorded_it()
    {
        var fleet = new FleetState(_clock);
        var at = _clock.GetUtcNow();

        fleet.ApplyMigrations([Move(at, (MigrationStates.AddingLearner, 0, "node-4 recorded as a learner of shard-0"))]);
        _clock.Advance(TimeSpan.FromSeconds(1));
        fleet.ApplyMigrations([Move(at, (MigrationStates.AddingLearner, 0, "node-4 recorded as a learner of shard-0"), (MigrationStates.CatchingUp, 0.2, "node-4 is a learner of the group"))]);

        var events = StepEvents(fleet);
        events.Select(e => (e.At, e.Subject, e.ShardId, e.NodeId)).ShouldBe([(at, "node-4", (int?)0, FleetState.ConsoleSource), (at.AddSeconds(0.2), "node-4", 0, FleetState.ConsoleSource)]);
        events[1].Message.ShouldBe("m-1: shard-0 from node-2 to node-4: catching-up (node-4 is a learner of the group).");
    }

    [Fact]
    public void steps_that_passed_between_two_looks_are_each_told_even_moments_apart()
    {
        var fleet = new FleetState(_clock);
        var at = _clock.GetUtcNow();

        fleet.ApplyMigrations([Move(at, (MigrationStates.Swapping, 0, null), (MigrationStates.CleaningUp, 0.15, null), (MigrationStates.Done, 0.2, null))]);

        StepEvents(fleet).Select(e => e.Message).ShouldBe([
            "m-1: shard-0 from node-2 to node-4: swapping.",
            "m-1: shard-0 from node-2 to node-4: cleaning-up.",
            "m-1: shard-0 from node-2 to node-4: done.",
        ]);
    }

    [Fact]
    public void a_step_seen_again_is_not_told_again()
    {
        var fleet = new FleetState(_clock);
        var moving = Move(_clock.GetUtcNow(), (MigrationStates.AddingLearner, 0, null), (MigrationStates.CatchingUp, 1, null), (MigrationStates.CatchingUp, 2, "cancel requested by console"));

        fleet.ApplyMigrations([moving]);
        fleet.ApplyMigrations([moving]);

        StepEvents(fleet).Select(e => e.Message).ShouldBe([
            "m-1: shard-0 from node-2 to node-4: adding-learner.",
            "m-1: shard-0 from node-2 to node-4: catching-up.",
            "m-1: shard-0 from node-2 to node-4: catching-up (cancel requested by console).",
        ]);
    }
}
