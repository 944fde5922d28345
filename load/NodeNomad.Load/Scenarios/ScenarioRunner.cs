using System.Diagnostics;
using System.Globalization;
using NodeNomad.Load.Faults;
using NodeNomad.Load.Reports;
using NodeNomad.Load.Stores;

namespace NodeNomad.Load.Scenarios;

/// <summary>
/// Runs one scenario against one store: starts the store, writes the preloaded keys, offers each phase's load with
/// the faults beside it, reads back the acknowledged writes, checks every member still answers, and writes the
/// report (JSON, Markdown, charts) to a folder.
/// </summary>
internal static class ScenarioRunner
{
    private static readonly TimeSpan FaultGrace = TimeSpan.FromSeconds(30);

    /// <summary>Runs <paramref name="scenario"/> against a store of <paramref name="kind"/> this program starts, and stops it after.</summary>
    public static async Task<RunReport> RunAsync(Scenario scenario, StoreKind kind, LoadProfile profile, int seed, string folder, TextWriter output, bool live,
        CancellationToken cancellationToken)
    {
        using var http = StoreHttp.CreateClient(scenario.Timeout);
        using var admin = new HttpClient { Timeout = TimeSpan.FromSeconds(30) };
        await output.WriteLineAsync(Invariant($"{scenario.Name} on {Name(kind)}: starting the store"));
        await using IStoreDeployment deployment = kind == StoreKind.Etcd
            ? await EtcdDeployment.StartAsync(http, cancellationToken)
            : await NodeNomadDeployment.StartAsync(scenario.Nodes, scenario.Shards, http, cancellationToken, scenario.Chaos && NodeUser.CanCreate);
        return await RunAsync(scenario, deployment, admin, profile, seed, folder, output, live, cancellationToken);
    }

    /// <summary>Runs <paramref name="scenario"/> against a store already started.</summary>
    public static async Task<RunReport> RunAsync(Scenario scenario, IStoreDeployment deployment, HttpClient admin, LoadProfile profile, int seed, string folder,
        TextWriter output, bool live, CancellationToken cancellationToken)
    {
        var store = deployment.Store;
        var startedAt = DateTimeOffset.UtcNow;
        var workload = new ScenarioWorkload(scenario, store, seed, Invariant($"load/{scenario.Name}/{seed}"));
        await output.WriteLineAsync(Invariant($"{scenario.Name} on {store.Name} ({Profile(profile)} profile, seed {seed}): {deployment.Description}."));
        await output.WriteLineAsync(Invariant($"  {scenario.Summary} Phases: {string.Join("; ", scenario.Phases.Select(p => p.Describe()))}."));
        await output.WriteLineAsync(Invariant($"  Load and store share this machine; at the start: {MachineLoad.Describe()}."));

        var preload = await PreloadAsync(workload, scenario.PreloadedKeys, cancellationToken);
        await output.WriteLineAsync(Invariant($"  preloaded {scenario.PreloadedKeys} keys in {preload.Elapsed.TotalSeconds:F1} s ({preload.Failed} failed)"));

        var recorder = new RunRecorder(Stopwatch.GetTimestamp());
        var timeline = new FaultTimeline(scenario.Faults);
        using var stopFaults = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var faults = timeline.RunAsync(recorder.Started, deployment, admin, recorder.Mark, stopFaults.Token);
        using var stopProgress = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var progress = ProgressView.ShowAsync($"{scenario.Name} on {store.Name}", recorder, () => timeline.InForce, output, live, stopProgress.Token);
        try
        {
            foreach (var phase in scenario.Phases)
            {
                await PhaseRunner.RunAsync(phase, workload.NextAsync, recorder, cancellationToken);
            }

            recorder.Mark("load ended");
            // A fault still running (a move not finished) gets a little longer, then is left behind and said so.
            stopFaults.CancelAfter(FaultGrace);
            try
            {
                await faults;
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                recorder.Mark(Invariant($"faults still running {FaultGrace.TotalSeconds:F0} s after the load were stopped"));
            }
        }
        finally
        {
            await stopProgress.CancelAsync();
            await progress;
        }

        var loadSeconds = Stopwatch.GetElapsedTime(recorder.Started).TotalSeconds;
        var loss = await CheckLossAsync(store, workload.Writes, scenario.LossCheckKeys, cancellationToken);
        var silent = await deployment.FindSilentMembersAsync(cancellationToken);
        Directory.CreateDirectory(folder);
        var history = workload.History is { } recorded ? CheckHistory(recorded, scenario.HistoryLimit, folder) : null;
        var report = new RunReport(scenario.Name, store.Name, Profile(profile), seed, startedAt, loadSeconds, deployment.Description,
            new ScenarioSettings(scenario.Mix.ToString(), scenario.Distribution.ToString(), scenario.Keys, scenario.PreloadedKeys, scenario.ValueBytes,
                scenario.TtlSeconds, scenario.Timeout.TotalSeconds),
            recorder.PhaseReports(), recorder.OperationReports(), recorder.Errors(), recorder.Redirects(), recorder.Timeline(), recorder.Events,
            loss, silent, recorder.ErrorSamples(), store.Notes, history);
        JsonReport.Write(report, folder);
        MarkdownReport.Write(report, folder);
        ChartReport.Write(report, folder);
        await output.WriteLineAsync(Summary(report, recorder.MergedLatency(), folder));
        if (history is { Judged: false })
        {
            await output.WriteLineAsync(Invariant($"{scenario.Name}: NOT SOUND, the checker reached no verdict on the client history within {scenario.HistoryLimit.TotalSeconds:0.###} s ({history.Message}); judge it again with: check-history {Path.Combine(folder, "history.edn")}"));
        }

        return report;
    }

    /// <summary>The one line a run ends with, the same on a terminal and in CI.</summary>
    public static string Summary(RunReport r, HdrHistogram.HistogramBase latency, string folder)
    {
        var all = RunRecorder.LatencyOf(latency);
        return Invariant($"{r.Scenario} on {r.Store} ({r.Profile}): {r.Seconds:F1} s, {r.Answered} ops, {r.Answered / Math.Max(0.001, r.Phases.Sum(p => p.Seconds)):F0} ops/s, p50 {all.P50:F2} ms, p99 {all.P99:F2} ms, errors {r.Errors.Total} (timeout {r.Errors.Timeout}, 503 {r.Errors.Unavailable}, other {r.Errors.Other}), 421 followed {r.RedirectsFollowed}, lost writes {r.LossCheck.Lost} of {r.LossCheck.Checked} checked, {(r.History is { } h ? $"history {h.Verdict} ({h.Operations} ops, {h.OutcomeUnknown} open), " : "")}{(r.SilentMembers.Count == 0 ? "all members answer" : $"silent: {string.Join(",", r.SilentMembers)}")}; report in {folder}");
    }

    public static string Name(StoreKind kind) => kind == StoreKind.Etcd ? "etcd" : "NodeNomad";

    public static string Profile(LoadProfile profile) => profile == LoadProfile.Ci ? "ci" : "full";

    /// <summary>Writes the workload's first <paramref name="keys"/> keys with a few senders; how long it took and how many failed.</summary>
    public static async Task<(TimeSpan Elapsed, long Failed)> PreloadAsync(ScenarioWorkload workload, int keys, CancellationToken cancellationToken)
    {
        var started = Stopwatch.StartNew();
        long next = -1;
        long failed = 0;
        await Task.WhenAll(Enumerable.Range(0, ScenarioWorkload.PreloadSenders).Select(_ => Task.Run(async () =>
        {
            for (var i = Interlocked.Increment(ref next); i < keys; i = Interlocked.Increment(ref next))
            {
                if ((await workload.PreloadAsync(i, cancellationToken)).Outcome != Outcome.Ok)
                {
                    Interlocked.Increment(ref failed);
                }
            }
        }, cancellationToken)));
        return (started.Elapsed, failed);
    }

    /// <summary>Reads back each acknowledged write (a few tries on errors): a key absent or at an older version was lost.</summary>
    private static async Task<LossCheck> CheckLossAsync(IKeyValueStore store, AcknowledgedWrites writes, int limit, CancellationToken cancellationToken)
    {
        const int Tries = 3;
        var keys = writes.ToCheck(limit);
        long next = -1;
        long lost = 0;
        long unverified = 0;
        string? firstLost = null;
        await Task.WhenAll(Enumerable.Range(0, ScenarioWorkload.PreloadSenders).Select(_ => Task.Run(async () =>
        {
            for (var i = Interlocked.Increment(ref next); i < keys.Count; i = Interlocked.Increment(ref next))
            {
                var (key, version) = keys[(int)i];
                var result = default(OperationResult);
                for (var attempt = 0; attempt < Tries; attempt++)
                {
                    result = await store.ReadAsync(key, linearizable: true, cancellationToken);
                    if (!result.IsError)
                    {
                        break;
                    }

                    await Task.Delay(500, cancellationToken);
                }

                if (result.IsError)
                {
                    Interlocked.Increment(ref unverified);
                }
                else if (result.Outcome == Outcome.NotFound || result.Version < version)
                {
                    Interlocked.Increment(ref lost);
                    Interlocked.CompareExchange(ref firstLost, Invariant($"{key}: acknowledged at version {version}, read {(result.Outcome == Outcome.NotFound ? "not found" : $"version {result.Version}")}"), null);
                }
            }
        }, cancellationToken)));
        return new LossCheck(keys.Count, lost, unverified, firstLost);
    }

    /// <summary>Saves the history as <c>history.edn</c> (re-checked with <c>check-history</c>) and judges it.</summary>
    private static HistoryCheck CheckHistory(ClientHistory history, TimeSpan limit, string folder)
    {
        var operations = history.Operations;
        Linearizability.NodeNomadKvHistory.Write(Path.Combine(folder, "history.edn"), operations);
        var result = history.Check(limit);
        return new HistoryCheck(operations.Count, operations.Count(o => o.IsOutcomeUnknown), result.Verdict.ToString(), result.Message);
    }

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
