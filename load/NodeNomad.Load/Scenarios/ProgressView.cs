using System.Globalization;
using Spectre.Console;

namespace NodeNomad.Load.Scenarios;

/// <summary>
/// Shows a run as it goes: ops/s, p50 and p99 of the last second, errors by kind, the phase and the fault in force.
/// On a terminal a live Spectre.Console table, refreshed every second; otherwise (CI, a pipe) a plain line every
/// few seconds.
/// </summary>
internal static class ProgressView
{
    private static readonly TimeSpan PlainEvery = TimeSpan.FromSeconds(5);

    /// <summary>Whether this process writes to a terminal that can redraw, rather than to a pipe or a file.</summary>
    public static bool Live(TextWriter output) =>
        ReferenceEquals(output, Console.Out) && !Console.IsOutputRedirected && AnsiConsole.Profile.Capabilities.Interactive;

    public static async Task ShowAsync(string title, RunRecorder recorder, Func<string?> faultInForce, TextWriter output, bool live, CancellationToken stop)
    {
        if (live)
        {
            await AnsiConsole.Live(Render(title, recorder.Snapshot(), faultInForce())).AutoClear(false).StartAsync(async context =>
            {
                while (await TickAsync(TimeSpan.FromSeconds(1), stop))
                {
                    context.UpdateTarget(Render(title, recorder.Snapshot(), faultInForce()));
                }

                context.UpdateTarget(Render(title, recorder.Snapshot(), faultInForce()));
            });
            return;
        }

        while (await TickAsync(PlainEvery, stop))
        {
            await output.WriteLineAsync(Line(recorder.Snapshot(), faultInForce()));
        }
    }

    /// <summary>The plain progress line.</summary>
    public static string Line(ProgressSnapshot s, string? fault) => string.Create(CultureInfo.InvariantCulture,
        $"  {s.Elapsed.TotalSeconds,5:F0} s  {s.LastSecondAnswered,6} ops/s  p50 {s.P50,7:F2} ms  p99 {s.P99,7:F2} ms  errors: timeout {s.Errors.Timeout}, 503 {s.Errors.Unavailable}, other {s.Errors.Other}; 421 followed {s.Redirects}  | {s.Phase}{(fault is null ? "" : $" | fault: {fault}")}");

    private static Table Render(string title, ProgressSnapshot s, string? fault)
    {
        var table = new Table().Title(Markup.Escape(title)).AddColumns("elapsed", "ops/s", "p50 ms", "p99 ms", "timeout", "503", "other", "421 followed", "phase", "fault in force");
        table.AddRow(
            string.Create(CultureInfo.InvariantCulture, $"{s.Elapsed.TotalSeconds:F0} s"),
            s.LastSecondAnswered.ToString(CultureInfo.InvariantCulture),
            s.P50.ToString("F2", CultureInfo.InvariantCulture),
            s.P99.ToString("F2", CultureInfo.InvariantCulture),
            s.Errors.Timeout.ToString(CultureInfo.InvariantCulture),
            s.Errors.Unavailable.ToString(CultureInfo.InvariantCulture),
            s.Errors.Other.ToString(CultureInfo.InvariantCulture),
            s.Redirects.ToString(CultureInfo.InvariantCulture),
            Markup.Escape(s.Phase ?? "starting"),
            Markup.Escape(fault ?? "none"));
        return table;
    }

    /// <summary>Waits <paramref name="period"/>; false once <paramref name="stop"/> is cancelled.</summary>
    private static async Task<bool> TickAsync(TimeSpan period, CancellationToken stop)
    {
        try
        {
            await Task.Delay(period, stop);
            return true;
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }
}
