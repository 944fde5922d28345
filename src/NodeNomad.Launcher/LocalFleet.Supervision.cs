using System.Globalization;
using System.Text;
using NodeNomad.Launcher.Control;

namespace NodeNomad.Launcher;

/// <summary>The fleet's loop, once the cluster is ready: exits, requests, keys and timers, one at a time.</summary>
internal sealed partial class LocalFleet
{
    /// <summary>Under --restart, a member whose processes exit this many times in a row, each soon after its start, is no longer restarted.</summary>
    private const int CrashLoopExits = 5;

    /// <summary>Acts on events until <paramref name="stop"/> fires; only this loop changes the members.</summary>
    private async Task SuperviseAsync(CancellationToken stop)
    {
        await foreach (var happened in events.Reader.ReadAllAsync(stop))
        {
            switch (happened)
            {
                case FleetEvent.Exited exited when exited.Member.Process == exited.Process:
                    OnExited(exited.Member);
                    break;
                case FleetEvent.Requested requested:
                    // A restart or stop asked from another terminal shows here too; a status or a refusal is the asker's own.
                    if (Answer(requested.Request, requested.Reply) is { } reply)
                    {
                        if (reply.Ok && requested.Request.Verb != ControlRequest.Status)
                        {
                            output.WriteLine(reply.Message);
                        }

                        requested.Reply.TrySetResult(reply);
                    }

                    break;
                case FleetEvent.KeyPressed pressed:
                    OnKey(pressed.Key);
                    break;
                case FleetEvent.RestartDue due when due.Member is { Process: null, RestartAt: not null } && due.Member.Starts == due.Start:
                    var restarted = Restart(due.Member);
                    output.WriteLine(restarted.Message);
                    if (!restarted.Ok)
                    {
                        ScheduleRestart(due.Member);
                    }

                    break;
                case FleetEvent.JoinEnded joined:
                    OnJoinEnded(joined);
                    break;
                case FleetEvent.StopOverdue overdue when overdue.Member.Process == overdue.Process:
                    output.WriteLine($"{overdue.Member.Name} did not stop within {Grace.TotalSeconds:0} s; killing it.");
                    overdue.Process.Kill();
                    break;
            }

            output.Flush();
        }
    }

    private void OnExited(FleetMember member)
    {
        var (how, exitCode, requester) = member.Ended();
        if (requester is not null)
        {
            var message = $"{member.Name} stopped ({how}).";
            output.WriteLine(message);
            requester.TrySetResult(new ControlReply(true, message));
            return;
        }

        output.WriteLine($"{member.Name} exited: {how}. The other processes keep running.");
        if (!ExitReason.IsSignal(exitCode))
        {
            output.WriteLine($"  its last output ({member.LogPath}):\n    {LastLines(member, 10)}");
        }

        if (options.RestartDelay is not null && member.QuickExits >= CrashLoopExits)
        {
            // Restarting it again would only repeat the failure, and bury its reason under restarts.
            member.GaveUp = Invariant($"{member.QuickExits} exits in a row, each within {FleetMember.QuickExit.TotalSeconds:0} s of its start");
            output.WriteLine(Invariant($"  {member.Name} exited {member.QuickExits} times in a row, each within {FleetMember.QuickExit.TotalSeconds:0} s of its start: the launcher no longer restarts it by itself."));
            output.WriteLine($"  why, by the last lines of its log other than stack frames ({member.LogPath}):\n    {LastLines(member, 10, stackFrames: false)}");
            output.WriteLine($"  once its cause is fixed, {StartAgain(member)}");
        }
        else if (options.RestartDelay is not null)
        {
            ScheduleRestart(member);
        }
        else
        {
            output.WriteLine($"  to start it again {StartAgain(member)}");
        }
    }

    private string StartAgain(FleetMember member) => keys && member.Key is { } key
        ? $"press {key}, or run: {Command(ControlRequest.Restart, member.Name)}"
        : $"run: {Command(ControlRequest.Restart, member.Name)}";

    private void ScheduleRestart(FleetMember member)
    {
        var delay = options.RestartDelay ?? TimeSpan.Zero;
        member.RestartAt = DateTimeOffset.Now + delay;
        output.WriteLine($"  {member.Name} starts again in {Words(delay)}.");
        _ = PostLaterAsync(delay, new FleetEvent.RestartDue(member, member.Starts));
    }

    private void OnKey(char key)
    {
        if (key == '?')
        {
            output.WriteLine(TerminalKeys.Help(nodes.Count));
        }
        else if (TerminalKeys.RequestFor(key) is { } request)
        {
            // A restart or a status is answered at once; an add prints its outcome once the node has joined.
            if (Answer(request, new TaskCompletionSource<ControlReply>()) is { } reply)
            {
                output.WriteLine(reply.Message);
            }
        }
        else if (!char.IsWhiteSpace(key) && !char.IsControl(key))
        {
            output.WriteLine($"The key '{key}' does nothing; ? lists the keys.");
        }
    }

    /// <summary>
    /// The answer to a request; null when it comes later, through <paramref name="requester"/> (a stop, once the
    /// process has exited; an add, once the node has joined).
    /// </summary>
    private ControlReply? Answer(ControlRequest request, TaskCompletionSource<ControlReply> requester)
    {
        if (request.Verb == ControlRequest.Status)
        {
            return new ControlReply(true, Status());
        }

        if (request.Verb == ControlRequest.Add)
        {
            return Add(requester);
        }

        if (Members.FirstOrDefault(m => string.Equals(m.Name, request.Target, StringComparison.OrdinalIgnoreCase)) is not { } member)
        {
            return new ControlReply(false, $"Unknown process '{request.Target}': this cluster has {Names()}.");
        }

        return request.Verb switch
        {
            ControlRequest.Restart when member.Process is { } process => new ControlReply(
                false,
                member.StopRequest is null
                    ? Invariant($"{member.Name} is already running (pid {process.Id}); only a process that has exited is started again. To start it afresh, stop it first: {Command(ControlRequest.Stop, member.Name)}")
                    : Invariant($"{member.Name} is stopping (pid {process.Id}); restart it once it has stopped.")),
            ControlRequest.Restart => RestartOnRequest(member),
            ControlRequest.Stop => Stop(member, requester),
            _ => new ControlReply(false, $"Unknown request '{request.Verb}'."),
        };
    }

    /// <summary>Someone asked: the member's earlier quick exits no longer count against it.</summary>
    private ControlReply RestartOnRequest(FleetMember member)
    {
        var reply = Restart(member);
        if (reply.Ok)
        {
            member.ForgetQuickExits();
        }

        return reply;
    }

    /// <summary>Starts an exited member again, with the data folder, ports and environment it had.</summary>
    private ControlReply Restart(FleetMember member)
    {
        if (PortCheck.FirstBusy(member.Ports) is { } busy)
        {
            return new ControlReply(false, Invariant($"{member.Name} cannot start again: port {busy.Port} ({busy.Purpose}) is in use by another process."));
        }

        try
        {
            Start(member);
        }
        catch (Exception e) when (e is System.ComponentModel.Win32Exception or InvalidOperationException or IOException)
        {
            return new ControlReply(false, $"{member.Name} cannot start again: {e.Message}");
        }

        return new ControlReply(true, Invariant($"{member.Name} restarted: pid {member.Process?.Id}, {member.Url}, log {member.LogPath}"));
    }

    /// <summary>Asks a running member to stop; null, since the answer waits until it has exited.</summary>
    private ControlReply? Stop(FleetMember member, TaskCompletionSource<ControlReply> requester)
    {
        if (member.Process is not { } process)
        {
            if (member.RestartAt is null)
            {
                return new ControlReply(false, $"{member.Name} is not running ({member.State}).");
            }

            member.RestartAt = null;
            return new ControlReply(true, $"{member.Name} is not running ({member.State}); it will not start again by itself.");
        }

        if (member.StopRequest is not null)
        {
            return new ControlReply(false, Invariant($"{member.Name} is already stopping (pid {process.Id})."));
        }

        output.WriteLine(Invariant($"Stopping {member.Name} (pid {process.Id})..."));
        member.BeginStop(requester);
        _ = PostLaterAsync(Grace, new FleetEvent.StopOverdue(member, process));
        return null;
    }

    private string Status()
    {
        var text = new StringBuilder();
        text.Append(CultureInfo.InvariantCulture, $"NodeNomad launcher pid {Environment.ProcessId}, data {data}; ");
        text.AppendLine(options.RestartDelay is { } delay ? $"a process that exits starts again after {Words(delay)}." : "a process that exits stays down until restarted.");
        foreach (var member in Members)
        {
            text.AppendLine(CultureInfo.InvariantCulture, $"  {member.Name,-8} {member.Url,-23} {member.State}");
        }

        return text.ToString().TrimEnd();
    }

    private string Names() =>
        (nodes.Count == 1 ? "node-1" : Invariant($"node-1 to node-{nodes.Count}")) + (console is null ? "" : " and the console");

    private async Task PostLaterAsync(TimeSpan delay, FleetEvent happened)
    {
        try
        {
            await Task.Delay(delay, stopping);
        }
        catch (OperationCanceledException)
        {
            return;
        }

        events.Writer.TryWrite(happened);
    }

    /// <summary>What the control socket's requests go through: handed to the loop, or refused while there is none.</summary>
    private Task<ControlReply> RequestAsync(ControlRequest request)
    {
        var reply = new TaskCompletionSource<ControlReply>(TaskCreationOptions.RunContinuationsAsynchronously);
        if (!supervising || !events.Writer.TryWrite(new FleetEvent.Requested(request, reply)))
        {
            reply.TrySetResult(new ControlReply(false, "The cluster is starting or stopping; ask again once the launcher says it is ready."));
        }

        return reply.Task;
    }
}
