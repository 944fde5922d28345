namespace NodeNomad.Raft.Simulation.Tests;

internal sealed partial class ClusterSimulation
{
    /// <summary>Sends a message from a Ready: it may be dropped, duplicated or delayed, and never crosses a cut link.</summary>
    public void Send(SimulatedReplica from, Message message)
    {
        ArgumentNullException.ThrowIfNull(from);
        ArgumentNullException.ThrowIfNull(message);
        Trace.Add(Now, "send", message);
        if (!_replicas.TryGetValue(message.To, out var target))
        {
            // No replica by that id exists (yet): nobody listens at that address.
            return;
        }

        var incarnation = from.Incarnation;
        var copies = !_network.CanReach(message.From, message.To) ? 0
            : message.To == message.From ? 1
            : message.Snapshot is null ? _network.Copies()
            : Random.NextDouble() < _network.DropRate ? 0 : 1;
        if (copies == 0)
        {
            Undelivered(from, incarnation, message);
            return;
        }

        for (var i = 0; i < copies; i++)
        {
            var delay = message.To == message.From ? 0 : _network.Delay();
            _events.After(delay, () => OnReplica(target, () => Deliver(from, incarnation, message)));
        }
    }

    private void Deliver(SimulatedReplica from, int incarnation, Message message)
    {
        var target = _replicas[message.To];
        if (target.Node is not { } node || !_network.CanReach(message.From, message.To))
        {
            Trace.Add(Now, "lost", message);
            Undelivered(from, incarnation, message);
            return;
        }

        Trace.Add(Now, "deliver", message);
        node.Step(message);
        AfterInput(target);
        if (message.Snapshot is not null)
        {
            // Snapshots travel whole: once delivered, the sender's transport reports success.
            Report(from, incarnation, "snapshot-ok", message.To, raft => raft.ReportSnapshot(message.To, succeeded: true));
        }
    }

    /// <summary>A message that did not arrive: a snapshot's sender always learns; others sometimes hear the peer is unreachable.</summary>
    private void Undelivered(SimulatedReplica from, int incarnation, Message message)
    {
        if (message.Snapshot is not null)
        {
            Report(from, incarnation, "snapshot-failed", message.To, raft => raft.ReportSnapshot(message.To, succeeded: false));
        }
        else if (Random.NextDouble() < Settings.ReportUnreachableRate)
        {
            Report(from, incarnation, "unreachable", message.To, raft => raft.ReportUnreachable(message.To));
        }
    }

    private void Report(SimulatedReplica sender, int incarnation, string what, ulong peer, Action<RaftNode> report) =>
        _events.After(_network.Delay(), () => OnReplica(sender, () =>
        {
            if (sender.Incarnation == incarnation && sender.Node is { } node)
            {
                Trace.Add(Now, what, sender.Id, peer);
                report(node);
                AfterInput(sender);
            }
        }));
}
