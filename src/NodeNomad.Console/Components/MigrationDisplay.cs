using System.Globalization;
using MudBlazor;
using NodeNomad.Client;
using NodeNomad.Console.Cluster;
using NodeNomad.Contracts;

namespace NodeNomad.Console.Components;

/// <summary>How the pages show a migration: its step on the way, its progress, its outcome, and the cluster's refusals.</summary>
public static class MigrationDisplay
{
    /// <summary>The steps a move goes through on its way to done, in order; leadership and snapshot steps may be skipped.</summary>
    public static IReadOnlyList<string> Path => Steps;

    private static readonly string[] Steps =
    [
        MigrationStates.Pending,
        MigrationStates.AddingLearner,
        MigrationStates.SendingSnapshot,
        MigrationStates.CatchingUp,
        MigrationStates.TransferringLeadership,
        MigrationStates.Swapping,
        MigrationStates.CleaningUp,
    ];

    /// <summary>The 1-based position of <paramref name="state"/> on <see cref="Path"/>, or the path's length past its end.</summary>
    public static int StepNumber(string state)
    {
        var index = Array.IndexOf(Steps, state);
        return index < 0 ? Path.Count : index + 1;
    }

    /// <summary>
    /// How far the move has come, 0 to 100. While the shard's leader measures it, the share of the log the target holds
    /// (the lag going to 0); otherwise the share of the steps passed.
    /// </summary>
    public static double Percent(MigrationInfo migration)
    {
        ArgumentNullException.ThrowIfNull(migration);
        if (migration.Progress is { SnapshotState: "sending", SnapshotBytesTotal: > 0 and var total, SnapshotBytesSent: { } sent })
        {
            return Math.Clamp(100.0 * sent / total, 0, 100);
        }

        if (migration.Progress is { } progress)
        {
            return progress.CommitIndex <= 0 ? 100 : Math.Clamp(100.0 * progress.TargetMatchIndex / progress.CommitIndex, 0, 100);
        }

        return 100.0 * (StepNumber(migration.State) - 1) / Path.Count;
    }

    /// <summary>
    /// The time left as the leader estimates it, e.g. <c>~12s</c>, or a dash when it does not: while a snapshot is
    /// being sent, the bytes left at its speed.
    /// </summary>
    public static string Eta(MigrationProgress? progress) => progress switch
    {
        { SnapshotState: "sending", SnapshotBytesTotal: { } total, SnapshotBytesSent: { } sent, SnapshotBytesPerSecond: > 0 and var speed } =>
            $"~{Display.Uptime(Math.Ceiling((total - sent) / speed))}",
        { EtaSeconds: { } seconds } => $"~{Display.Uptime(Math.Ceiling(seconds))}",
        _ => "–",
    };

    /// <summary>
    /// The lag as the leader measures it, e.g. <c>lag 120 entries (replicate, 40/s)</c>, and the snapshot's bytes when
    /// the leader sent the target one, e.g. <c>snapshot sending: 96 MiB of 512 MiB at 60 MiB/s</c>.
    /// </summary>
    public static string Lag(MigrationProgress progress)
    {
        ArgumentNullException.ThrowIfNull(progress);
        var pace = progress.EntriesPerSecond is { } rate ? $", {Display.Rate(rate)}" : string.Empty;
        var lag = string.Create(CultureInfo.InvariantCulture, $"lag {progress.LagEntries} entries ({progress.ReplicationState}{pace})");
        if (progress is not { SnapshotBytesTotal: { } total, SnapshotBytesSent: { } sent })
        {
            return lag;
        }

        var speed = progress.SnapshotBytesPerSecond is { } perSecond ? $" at {Display.Bytes((long)perSecond)}/s" : string.Empty;
        var resumed = progress.SnapshotResumedFrom is > 0 and var from ? $", resumed at {Display.Bytes(from)}" : string.Empty;
        var state = progress.SnapshotState == "sending" ? "sending" : progress.SnapshotState == "sent" ? "sent" : "send failed, again";
        return $"{lag}; snapshot {state}: {Display.Bytes(sent)} of {Display.Bytes(total)}{speed}{resumed}";
    }

    /// <summary>How long a move took or has run: tenths of a second under a minute (moves of small shards take less than one), e.g. <c>0.4s</c>.</summary>
    public static string Duration(TimeSpan span) => span.TotalSeconds < 60
        ? string.Create(CultureInfo.InvariantCulture, $"{Math.Max(0, span.TotalSeconds):0.0}s")
        : Display.Uptime(span.TotalSeconds);

    /// <summary>Every step the move entered, one a line with its time and detail.</summary>
    public static string StepHistory(MigrationInfo migration)
    {
        ArgumentNullException.ThrowIfNull(migration);
        return string.Join('\n', migration.Steps.Select(s => s.Detail is { Length: > 0 } detail
            ? $"{Display.Time(s.At)} {s.State}: {detail}"
            : $"{Display.Time(s.At)} {s.State}"));
    }

    /// <summary>The colour of a state's chip: green done, red failed, amber undone, blue on the way.</summary>
    public static Color ColorOf(string state) => state switch
    {
        MigrationStates.Done => Color.Success,
        MigrationStates.Failed => Color.Error,
        MigrationStates.RolledBack or MigrationStates.Cancelled => Color.Warning,
        _ => Color.Info,
    };

    /// <summary>
    /// What the cluster said when it refused: the problem's detail (the reason a move cannot run) when it sent one,
    /// else the error's own message.
    /// </summary>
    public static string Reason(Exception error)
    {
        ArgumentNullException.ThrowIfNull(error);
        return error is NodeNomadException { Detail: { Length: > 0 } detail } ? detail : error.Message;
    }

    /// <summary>Whether <paramref name="error"/> is an answer or a failure to reach the cluster, to be shown rather than thrown.</summary>
    public static bool IsClusterFailure(Exception error) =>
        error is NodeNomadException or ClusterUnreachableException or InvalidOperationException or HttpRequestException;
}
