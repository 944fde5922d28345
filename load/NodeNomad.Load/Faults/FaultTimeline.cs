using System.Diagnostics;
using NodeNomad.Load.Stores;

namespace NodeNomad.Load.Faults;

/// <summary>
/// Starts each fault of a scenario at its time, beside the load, and keeps which faults are in force so that the
/// progress line and the report can say so. A fault that throws is marked as failed; the load goes on.
/// </summary>
internal sealed class FaultTimeline
{
    private readonly IReadOnlyList<TimedFault> faults;
    private readonly List<string> inForce = [];

    public FaultTimeline(IReadOnlyList<TimedFault> faults) => this.faults = faults;

    /// <summary>The faults running now, or null when none is.</summary>
    public string? InForce
    {
        get
        {
            lock (inForce)
            {
                return inForce.Count == 0 ? null : string.Join(", ", inForce);
            }
        }
    }

    /// <summary>Runs every fault at its time after <paramref name="started"/> (a <see cref="Stopwatch"/> timestamp); ends when the last has.</summary>
    public Task RunAsync(long started, IStoreDeployment deployment, HttpClient http, Action<string> mark, CancellationToken cancellationToken) =>
        Task.WhenAll(faults.Select(timed => RunOneAsync(timed, started, new FaultContext(deployment, http, mark), cancellationToken)));

    private async Task RunOneAsync(TimedFault timed, long started, FaultContext context, CancellationToken cancellationToken)
    {
        var wait = timed.At - Stopwatch.GetElapsedTime(started);
        if (wait > TimeSpan.Zero)
        {
            await Task.Delay(wait, cancellationToken);
        }

        if (timed.Fault.Unsupported(context.Deployment) is { } reason)
        {
            context.Mark($"{timed.Fault.Name}: not done, {reason}");
            return;
        }

        lock (inForce)
        {
            inForce.Add(timed.Fault.Name);
        }

        try
        {
            await timed.Fault.RunAsync(context, cancellationToken);
        }
        catch (Exception e) when (e is HttpRequestException or System.Text.Json.JsonException || (e is TaskCanceledException && !cancellationToken.IsCancellationRequested))
        {
            context.Mark($"{timed.Fault.Name} failed: {e.Message}");
        }
        finally
        {
            lock (inForce)
            {
                inForce.Remove(timed.Fault.Name);
            }
        }
    }
}
