using System.Diagnostics;
using System.Globalization;
using NodeNomad.Linearizability;
using NodeNomad.Node.Runtime;
using NodeNomad.Raft;

namespace NodeNomad.Simulation;

/// <summary>The end of one seed of the real-core simulation: its result when it ran to the end, and a report when it failed.</summary>
/// <param name="HistoryPath">Where a history the checker rejected was written, for <c>check-history</c>.</param>
public sealed record CoreSeedOutcome(int Seed, CoreSimulationResult? Result, string? Failure, TimeSpan Elapsed, ulong TraceHash, string? HistoryPath = null)
{
    public bool Passed => Failure is null;
}

/// <summary>Runs seeds of the real-core simulation, and turns a failure into a report that ends in the one command replaying it.</summary>
public static class CoreSeedRunner
{
    /// <summary>The command that replays <paramref name="seed"/> and prints its trace.</summary>
    public static string ReplayCommand(int seed, CoreFlaw flaw, long faultPhase, ReadOnlyOption reads = ReadOnlyOption.Safe, bool placement = false) =>
        string.Create(CultureInfo.InvariantCulture, $"dotnet run -c Release --project load/NodeNomad.Load -- simulate --seed {seed}")
        + (faultPhase == CoreClusterSimulation.DefaultFaultPhase ? "" : string.Create(CultureInfo.InvariantCulture, $" --steps {faultPhase}"))
        + (flaw == CoreFlaw.None ? "" : $" --flaw {flaw}")
        + (reads == ReadOnlyOption.Safe ? "" : " --reads lease")
        + (placement ? " --placement" : "")
        + " --trace";

    public static CoreSeedOutcome Run(int seed, CoreFlaw flaw = CoreFlaw.None, long faultPhase = CoreClusterSimulation.DefaultFaultPhase, TextWriter? fullTrace = null,
        ReadOnlyOption reads = ReadOnlyOption.Safe, bool placement = false)
    {
        var started = Stopwatch.GetTimestamp();
        var simulation = new CoreClusterSimulation(seed, flaw, faultPhase, fullTrace, reads, placement);
        try
        {
            var result = simulation.Run();
            if (result.Check.Verdict == Verdict.Linearizable)
            {
                return new CoreSeedOutcome(seed, result, null, Stopwatch.GetElapsedTime(started), simulation.Trace.Hash);
            }

            var file = Path.Combine(Path.GetTempPath(), "nodenomad-sim", $"core-seed-{seed}{(flaw == CoreFlaw.None ? "" : "-" + flaw)}.edn");
            Directory.CreateDirectory(Path.GetDirectoryName(file)!);
            NodeNomadKvHistory.Write(file, result.History);
            return new CoreSeedOutcome(seed, result, Report(simulation, $"The clients' history is not linearizable ({result.Check.Verdict}): {result.Check.Message}{Environment.NewLine}History: {file}", flaw, faultPhase),
                Stopwatch.GetElapsedTime(started), simulation.Trace.Hash, file);
        }
#pragma warning disable CA1031 // Whatever stops a run (a broken invariant, a liveness failure, an exception from the core) is that seed's failure.
        catch (Exception e)
#pragma warning restore CA1031
        {
            var problem = e switch
            {
                InvariantViolationException => "Invariant violated: " + e.Message,
                LivenessException => e.Message,
                _ => $"{e.GetType().Name} thrown: {e}",
            };
            return new CoreSeedOutcome(seed, null, Report(simulation, problem, flaw, faultPhase), Stopwatch.GetElapsedTime(started), simulation.Trace.Hash);
        }
    }

    private static string Report(CoreClusterSimulation simulation, string problem, CoreFlaw flaw, long faultPhase) =>
        string.Join(Environment.NewLine,
            $"Seed {simulation.Seed} failed at t={simulation.Now} ms after {simulation.Events} events: {problem}",
            $"Settings: {simulation.Settings}",
            "Last events:",
            simulation.Trace.Tail(40),
            $"Replay: {ReplayCommand(simulation.Seed, flaw, faultPhase, simulation.Settings.Reads, simulation.Settings.Placement)}");
}
