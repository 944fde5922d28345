namespace NodeNomad.Raft.Simulation.Tests;

internal sealed partial class ShardedClusterSimulation
{
    /// <summary>
    /// Sends one packet: every message of one host-loop step from <paramref name="from"/> to node <paramref name="to"/>,
    /// whatever their groups. The network drops, duplicates and delays the packet whole, and never carries it over a
    /// cut link; now and then it comes apart and its messages travel (or not) one by one.
    /// </summary>
    public void SendPacket(ShardedSimulatedNode from, ulong to, List<(ShardedGroupReplica Sender, Message Message)> packet)
    {
        ArgumentNullException.ThrowIfNull(from);
        ArgumentNullException.ThrowIfNull(packet);
        foreach (var (_, message) in packet)
        {
            Trace.Add(Now, "send", message);
        }

        var incarnation = from.Incarnation;
        if (!_nodes.TryGetValue(to, out var target) || !_network.CanReach(from.Id, to))
        {
            foreach (var (sender, message) in packet)
            {
                Undelivered(sender, incarnation, message);
            }

            return;
        }

        if (packet.Count > 1 && Random.NextDouble() < Settings.SplitRate)
        {
            Trace.Add(Now, "split", from.Id, to, (ulong)packet.Count);
            foreach (var item in packet)
            {
                Transmit(incarnation, target, [item]);
            }

            return;
        }

        Transmit(incarnation, target, packet);
    }

    /// <summary>Streams a snapshot on its own: never duplicated, and its sender always learns whether it arrived.</summary>
    public void SendSnapshot(ShardedGroupReplica sender, Message message)
    {
        ArgumentNullException.ThrowIfNull(sender);
        ArgumentNullException.ThrowIfNull(message);
        Trace.Add(Now, "send", message);
        var incarnation = sender.Host.Incarnation;
        var from = sender.Host.Id;
        if (!_nodes.TryGetValue(NodeOf(message.To), out var target) || !_network.CanReach(from, target.Id) || Random.NextDouble() < _network.DropRate)
        {
            Undelivered(sender, incarnation, message);
            return;
        }

        _events.After(_network.Delay(), () => OnNode(target, () =>
        {
            if (!target.IsUp || !_network.CanReach(from, target.Id) || target.Live(sender.Group, message.To) is not { } replica)
            {
                Trace.Add(Now, "lost", message);
                Undelivered(sender, incarnation, message);
                return;
            }

            Trace.Add(Now, "deliver", message);
            replica.Raft.Step(message);
            AfterInput(target);
            Report(sender, incarnation, "snapshot-ok", message.To, raft => raft.ReportSnapshot(message.To, succeeded: true));
        }));
    }

    private void Transmit(int incarnation, ShardedSimulatedNode target, IReadOnlyList<(ShardedGroupReplica Sender, Message Message)> packet)
    {
        var copies = _network.Copies();
        if (copies == 0)
        {
            foreach (var (sender, message) in packet)
            {
                Undelivered(sender, incarnation, message);
            }

            return;
        }

        for (var i = 0; i < copies; i++)
        {
            _events.After(_network.Delay(), () => OnNode(target, () => Deliver(incarnation, target, packet)));
        }
    }

    private void Deliver(int incarnation, ShardedSimulatedNode target, IReadOnlyList<(ShardedGroupReplica Sender, Message Message)> packet)
    {
        var from = packet[0].Sender.Host.Id;
        if (!target.IsUp || !_network.CanReach(from, target.Id))
        {
            foreach (var (sender, message) in packet)
            {
                Trace.Add(Now, "lost", message);
                Undelivered(sender, incarnation, message);
            }

            return;
        }

        foreach (var (sender, message) in packet)
        {
            // The replica may be gone (removed and deleted) or not yet there: nobody listens for it.
            if (target.Live(sender.Group, message.To) is not { } replica)
            {
                Trace.Add(Now, "nobody", message);
                continue;
            }

            Trace.Add(Now, "deliver", message);
            replica.Raft.Step(message);
        }

        AfterInput(target);
    }

    /// <summary>A message that did not arrive: a snapshot's sender always learns; others sometimes hear the peer is unreachable.</summary>
    private void Undelivered(ShardedGroupReplica sender, int incarnation, Message message)
    {
        if (message.Snapshot is not null)
        {
            Report(sender, incarnation, "snapshot-failed", message.To, raft => raft.ReportSnapshot(message.To, succeeded: false));
        }
        else if (Random.NextDouble() < Settings.Raft.ReportUnreachableRate)
        {
            Report(sender, incarnation, "unreachable", message.To, raft => raft.ReportUnreachable(message.To));
        }
    }

    private void Report(ShardedGroupReplica sender, int incarnation, string what, ulong peer, Action<RaftNode> report) =>
        _events.After(_network.Delay(), () => OnNode(sender.Host, () =>
        {
            if (sender.Host.Incarnation == incarnation && !sender.IsDestroyed && sender.Node is { } node)
            {
                Trace.Add(Now, what, sender.Peer, peer);
                report(node);
                AfterInput(sender.Host);
            }
        }));
}
