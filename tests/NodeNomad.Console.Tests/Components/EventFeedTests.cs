using Bunit;
using NodeNomad.Console.Components.Shared;
using NodeNomad.Console.Fleet;
using NodeNomad.Contracts.Fleet;

namespace NodeNomad.Console.Tests.Components;

public sealed class EventFeedTests
{
    [Fact]
    public async Task events_are_listed_in_the_order_given_up_to_the_maximum()
    {
        await using var context = ConsoleComponents.Context(new FleetState(new ManualClock()));
        var at = DateTimeOffset.UnixEpoch;
        FleetEvent[] events =
        [
            Fleets.Event(FleetEventKinds.NodeUnreachable, "node-3", at.AddSeconds(2), "node-3 does not answer"),
            Fleets.Event(FleetEventKinds.LeaderChanged, "node-1", at.AddSeconds(1), "node-1 leads shard 0"),
            Fleets.Event(FleetEventKinds.NodeJoined, "node-2", at, "node-2 started"),
        ];

        var cut = context.Render<EventFeed>(p => p.Add(c => c.Events, events).Add(c => c.Max, 2));

        var rows = cut.FindAll("[data-testid='event']");
        rows.Select(r => r.GetAttribute("data-kind")).ShouldBe([FleetEventKinds.NodeUnreachable, FleetEventKinds.LeaderChanged]);
        rows[0].TextContent.ShouldContain("node-3 does not answer");
    }

    [Fact]
    public async Task no_events_says_so()
    {
        await using var context = ConsoleComponents.Context(new FleetState(new ManualClock()));

        var cut = context.Render<EventFeed>(p => p.Add(c => c.Events, []));

        cut.ById("event-feed").TextContent.ShouldContain("No events yet.");
    }
}
