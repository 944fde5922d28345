using NodeNomad.Launcher.Control;

namespace NodeNomad.Launcher;

/// <summary>
/// Adding a node to the running cluster (<c>launcher add</c>, key a): node-(N+1), with the next ports of the port scheme
/// and a data folder of its own, started with the first members as its seeds, so it asks them to record it; the meta
/// leader then gives it its share of replicas.
/// </summary>
internal sealed partial class LocalFleet
{
    /// <summary>Starts the next node; null, since the answer waits until it has joined (or failed to).</summary>
    private ControlReply? Add(TaskCompletionSource<ControlReply> requester)
    {
        var number = nodes.Count + 1;
        var name = Invariant($"node-{number}");
        if (options.PortsProblem(number) is { } ports)
        {
            return new ControlReply(false, $"{name} cannot be added: {ports}");
        }

        var member = NodeMember(number);
        if (PortCheck.FirstBusy(member.Ports) is { } busy)
        {
            return new ControlReply(false, Invariant(
                $"{name} cannot be added: port {busy.Port} ({busy.Purpose}) is in use by another process. Stop it, or run the launcher with other --base-port / --peer-base-port."));
        }

        ChildProcess process;
        try
        {
            process = member.Start();
        }
        catch (Exception e) when (e is System.ComponentModel.Win32Exception or InvalidOperationException or IOException)
        {
            return new ControlReply(false, $"{name} cannot be added: {e.Message}");
        }

        nodes.Add(member);
        // Taken now, before the process can be let go of: the join watch and the exit report both wait on it.
        var exited = process.WaitForExitAsync(CancellationToken.None);
        _ = ReportExitAsync(member, process, exited);
        var seeds = nodes.Take(options.Nodes).Select(n => new Uri(n.Url)).ToList();
        output.WriteLine(Invariant(
            $"Adding {name}: pid {process.Id}, {member.Url}, peer 127.0.0.1:{options.PeerPort(number)}, data {Path.Combine(data, name)}, log {member.LogPath}; it joins through node-1..node-{options.Nodes}."));
        _ = WatchJoinAsync(member, process, exited, seeds, requester);
        return null;
    }

    private async Task WatchJoinAsync(FleetMember member, ChildProcess process, Task exited, IReadOnlyList<Uri> seeds, TaskCompletionSource<ControlReply> requester)
    {
        string? problem;
        try
        {
            problem = await JoinReadiness.WaitAsync(seeds, member.Name, JoinLimit, () => exited.IsCompleted ? "it exited before the cluster recorded it" : null, stopping);
        }
        catch (OperationCanceledException)
        {
            requester.TrySetResult(new ControlReply(false, "The launcher is stopping the cluster."));
            return;
        }

        events.Writer.TryWrite(new FleetEvent.JoinEnded(member, process, problem, requester));
    }

    private void OnJoinEnded(FleetEvent.JoinEnded joined)
    {
        var member = joined.Member;
        ControlReply reply;
        if (joined.Problem is null)
        {
            reply = new ControlReply(true, Invariant(
                $"{member.Name} joined the cluster: pid {joined.Process.Id}, {member.Url}, log {member.LogPath}. The placement driver moves its share of the replicas to it; {member.Url}/api/v1/cluster/nodes shows them."));
        }
        else
        {
            var still = member.Process == joined.Process ? " It is still running; its log may say why." : "";
            reply = new ControlReply(false, $"{member.Name} did not join the cluster: {joined.Problem}.{still} Its last output ({member.LogPath}):\n    {LastLines(member, 10)}");
        }

        output.WriteLine(reply.Message);
        joined.Reply.TrySetResult(reply);
    }
}
