using NodeNomad.Launcher.Control;

namespace NodeNomad.Launcher;

/// <summary>What the fleet's loop acts on, one at a time: only that loop changes a <see cref="FleetMember"/>.</summary>
internal abstract record FleetEvent
{
    /// <summary><paramref name="Process"/>, started for <paramref name="Member"/>, has exited.</summary>
    public sealed record Exited(FleetMember Member, ChildProcess Process) : FleetEvent;

    /// <summary>A request from the control socket, answered through <paramref name="Reply"/>.</summary>
    public sealed record Requested(ControlRequest Request, TaskCompletionSource<ControlReply> Reply) : FleetEvent;

    /// <summary>A key pressed in the launcher's terminal.</summary>
    public sealed record KeyPressed(char Key) : FleetEvent;

    /// <summary>The automatic restart of <paramref name="Member"/> is due, unless it was started again since its start number <paramref name="Start"/>.</summary>
    public sealed record RestartDue(FleetMember Member, int Start) : FleetEvent;

    /// <summary>
    /// <paramref name="Process"/>, started for the added node <paramref name="Member"/>, joined the cluster
    /// (<paramref name="Problem"/> null) or did not; the one who asked for it is told through <paramref name="Reply"/>.
    /// </summary>
    public sealed record JoinEnded(FleetMember Member, ChildProcess Process, string? Problem, TaskCompletionSource<ControlReply> Reply) : FleetEvent;

    /// <summary><paramref name="Process"/> was asked to stop a grace period ago.</summary>
    public sealed record StopOverdue(FleetMember Member, ChildProcess Process) : FleetEvent;
}
