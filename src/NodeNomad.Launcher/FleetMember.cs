using System.Globalization;
using NodeNomad.Launcher.Control;

namespace NodeNomad.Launcher;

/// <summary>
/// A process of the local cluster (a node or the console) as the launcher keeps it across restarts: how it is started
/// (always with the same data folder, ports and environment, so a node started again rejoins with its data), the
/// process running now, and how the last one ended. Only the fleet's loop changes it.
/// </summary>
internal sealed class FleetMember
{
    private readonly string dll;
    private readonly IReadOnlyList<string> arguments;
    private readonly IReadOnlyDictionary<string, string> environment;
    private DateTimeOffset startedAt;
    private DateTimeOffset exitedAt;

    public FleetMember(
        string name,
        char? key,
        Uri url,
        IReadOnlyList<(int Port, string Purpose)> ports,
        string dll,
        IReadOnlyList<string> arguments,
        IReadOnlyDictionary<string, string> environment,
        string logPath)
    {
        Name = name;
        Key = key;
        Url = url.ToString().TrimEnd('/');
        Ports = ports;
        this.dll = dll;
        this.arguments = arguments;
        this.environment = environment;
        LogPath = logPath;
    }

    public string Name { get; }

    /// <summary>The key that restarts it in the launcher's terminal; null past node-9, which has none.</summary>
    public char? Key { get; }

    public string Url { get; }

    /// <summary>The ports it listens on, checked free before it is started again.</summary>
    public IReadOnlyList<(int Port, string Purpose)> Ports { get; }

    public string LogPath { get; }

    /// <summary>The process running now, or stopping; null before the first start and once it has exited.</summary>
    public ChildProcess? Process { get; private set; }

    /// <summary>How many times it was started: tells a restart that is due from one overtaken by a later start.</summary>
    public int Starts { get; private set; }

    /// <summary>Who asked the running process to stop, to be told once it has exited; null when nobody did.</summary>
    public TaskCompletionSource<ControlReply>? StopRequest { get; private set; }

    /// <summary>How the last process ended ("killed by SIGKILL", "exit code 0"); null until one has.</summary>
    public string? LastExit { get; private set; }

    /// <summary>Whether the last process ended because it was asked to stop: such a member is never restarted by itself.</summary>
    public bool StoppedOnRequest { get; private set; }

    /// <summary>When its automatic restart is due; null when none is.</summary>
    public DateTimeOffset? RestartAt { get; set; }

    /// <summary>
    /// How many of its last processes in a row exited on their own within <see cref="QuickExit"/> of their start; an exit
    /// after a longer run, a stop on request or a restart on request starts the count again.
    /// </summary>
    public int QuickExits { get; private set; }

    /// <summary>Why the launcher no longer restarts it by itself (it exits again and again); null while it does.</summary>
    public string? GaveUp { get; set; }

    /// <summary>What it is doing, for the status list: "running, pid 812", "exited: killed by SIGKILL at 10:04:31".</summary>
    public string State => Process is { } process
        ? Invariant($"{(StopRequest is null ? "running" : "stopping")}, pid {process.Id}")
        : LastExit is null
            ? "not started"
            : Invariant($"{(StoppedOnRequest ? "stopped" : "exited")}: {LastExit} at {exitedAt:HH:mm:ss}{(RestartAt is { } at ? Invariant($", restarting at {at:HH:mm:ss}") : "")}{(GaveUp is { } why ? $", not restarted: {why}" : "")}");

    /// <summary>An exit this soon after the start counts towards the launcher giving up on the member.</summary>
    public static TimeSpan QuickExit { get; } = TimeSpan.FromMinutes(1);

    public ChildProcess Start()
    {
        Process = ChildProcess.Start(Name, dll, arguments, environment, LogPath);
        Starts++;
        startedAt = DateTimeOffset.Now;
        StoppedOnRequest = false;
        RestartAt = null;
        GaveUp = null;
        return Process;
    }

    /// <summary>Forgets its quick exits: someone asked for this start, so earlier failures are theirs to judge.</summary>
    public void ForgetQuickExits() => QuickExits = 0;

    /// <summary>Asks the running process to stop (SIGTERM); <paramref name="requester"/> is told once it has exited.</summary>
    public void BeginStop(TaskCompletionSource<ControlReply> requester)
    {
        StopRequest = requester;
        Process?.Terminate();
    }

    /// <summary>Records that the process has exited and lets it go; returns how it ended and who asked it to stop, if anyone did.</summary>
    public (string How, int ExitCode, TaskCompletionSource<ControlReply>? Requester) Ended()
    {
        var process = Process ?? throw new InvalidOperationException($"{Name} has no process to end.");
        var exitCode = process.ExitCode;
        var requester = StopRequest;
        LastExit = ExitReason.Describe(exitCode);
        exitedAt = DateTimeOffset.Now;
        StoppedOnRequest = requester is not null;
        QuickExits = !StoppedOnRequest && exitedAt - startedAt < QuickExit ? QuickExits + 1 : 0;
        StopRequest = null;
        Process = null;
        process.Dispose();
        return (LastExit, exitCode, requester);
    }

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
