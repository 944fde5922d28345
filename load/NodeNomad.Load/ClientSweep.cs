using System.Globalization;

namespace NodeNomad.Load;

/// <summary>Runs a workload once per client count: a warm-up, then a measured run framed by the target's counters.</summary>
internal static class ClientSweep
{
    public static readonly TimeSpan WarmUp = TimeSpan.FromSeconds(1);

    public static async Task<IReadOnlyList<RunResult>> MeasureAsync(Workload workload, LoadSettings settings, string run, CancellationToken cancellationToken)
    {
        var results = new List<RunResult>();
        foreach (var clients in settings.Clients)
        {
            await Console.Error.WriteLineAsync(Invariant($"{workload.Name}, {clients} client(s): warming up {WarmUp.TotalSeconds} s, then measuring {settings.Seconds} s"));
            using var http = ClosedLoop.CreateHttpClient(clients);
            var keys = Invariant($"load/{run}/{workload.Name}/{clients}");
            await ClosedLoop.RunAsync(http, clients, WarmUp, settings.MaxRequests, workload.Requests($"{keys}/warm-up"), cancellationToken);

            // The counters are read while no request is in flight, so their deltas cover exactly the measured writes.
            var before = await ObserveAsync(workload, http, cancellationToken);
            var measured = await ClosedLoop.RunAsync(http, clients, settings.Duration, settings.MaxRequests, workload.Requests($"{keys}/measured"),
                cancellationToken);
            var after = await ObserveAsync(workload, http, cancellationToken);
            results.Add(measured with
            {
                Durable = after.Counters.Since(before.Counters),
                Disturbance = before.Leadership == after.Leadership ? null : $"leadership changed during the run; before: {before.Leadership}; after: {after.Leadership}",
            });
        }

        return results;
    }

    private static async Task<(DurabilityCounters Counters, string? Leadership)> ObserveAsync(Workload workload, HttpClient http,
        CancellationToken cancellationToken)
    {
        var target = workload.Counted;
        try
        {
            var counters = target is null ? default : await target.ReadCountersAsync(http, cancellationToken);
            var leadership = workload.Leadership is null ? null : await workload.Leadership(http, cancellationToken);
            return (counters, leadership);
        }
        catch (Exception e) when (e is HttpRequestException or System.Text.Json.JsonException
            || (e is TaskCanceledException && !cancellationToken.IsCancellationRequested))
        {
            throw new BenchSetupException($"could not read {target?.Name}'s write and fsync counters at {target?.Url}: {e.Message}", e);
        }
    }

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
