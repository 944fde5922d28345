extern alias node;

using node::NodeNomad.Node.Fleet;
using NodeNomad.Contracts.Fleet;

namespace NodeNomad.Console.Tests.NodeSide;

public sealed class FleetEventsTests
{
    private static FleetEvent Numbered(int i) =>
        new(FleetEventKinds.LeaderChanged, "node-1", "node-1", $"event {i}", DateTimeOffset.UnixEpoch.AddSeconds(i));

    [Fact]
    public void a_full_buffer_drops_its_oldest_events_and_never_refuses_a_new_one()
    {
        var events = new FleetEvents();

        for (var i = 0; i < FleetEvents.Capacity + 10; i++)
        {
            events.Publish(Numbered(i));
        }

        events.Count.ShouldBe(FleetEvents.Capacity);
        events.TryTake(out var oldest).ShouldBeTrue();
        oldest.Message.ShouldBe("event 10");
    }

    [Fact]
    public void a_peeked_event_stays_until_it_is_taken()
    {
        var events = new FleetEvents();
        events.Publish(Numbered(1));

        events.TryPeek(out var peeked).ShouldBeTrue();

        events.Count.ShouldBe(1);
        events.TryTake(out var taken).ShouldBeTrue();
        taken.ShouldBe(peeked);
        events.TryTake(out _).ShouldBeFalse();
    }
}
