using System.Threading.Channels;
using NodeNomad.Contracts.Fleet;

namespace NodeNomad.Node.Fleet;

/// <summary>
/// Events waiting to be sent to the console. <see cref="Publish"/> never blocks and never fails: the buffer is
/// bounded and drops its oldest event when full, because a console that is away must not hold up the node.
/// </summary>
public sealed class FleetEvents
{
    /// <summary>Most events kept while the console is away.</summary>
    public const int Capacity = 256;

    private readonly Channel<FleetEvent> _pending = Channel.CreateBounded<FleetEvent>(
        new BoundedChannelOptions(Capacity) { FullMode = BoundedChannelFullMode.DropOldest, SingleReader = true });

    /// <summary>Queues an event for the console.</summary>
    public void Publish(FleetEvent fleetEvent) => _pending.Writer.TryWrite(fleetEvent);

    /// <summary>The next pending event, left in place until <see cref="TryTake"/>, if any.</summary>
    public bool TryPeek(out FleetEvent fleetEvent) => _pending.Reader.TryPeek(out fleetEvent!);

    /// <summary>Takes the next pending event, if any.</summary>
    public bool TryTake(out FleetEvent fleetEvent) => _pending.Reader.TryRead(out fleetEvent!);

    /// <summary>Events waiting.</summary>
    public int Count => _pending.Reader.Count;
}
