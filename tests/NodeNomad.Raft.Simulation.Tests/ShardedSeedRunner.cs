using System.Diagnostics;
using System.Globalization;
using System.Text;
using NodeNomad.Linearizability;

namespace NodeNomad.Raft.Simulation.Tests;

/// <summary>Runs sharded seeds, and turns a failure into a report that ends in the one command replaying it.</summary>
internal static class ShardedSeedRunner
{
    public const string SeedVariable = "NODENOMAD_SHARDED_SIM_SEED";
    public const string SeedsVariable = "NODENOMAD_SHARDED_SIM_SEEDS";
    public const string FirstSeedVariable = "NODENOMAD_SHARDED_SIM_FIRST_SEED";
    public const string DurationVariable = "NODENOMAD_SHARDED_SIM_DURATION";
    public const string TraceVariable = "NODENOMAD_SHARDED_SIM_TRACE";

    /// <summary>Virtual milliseconds of faults per seed: <see cref="DurationVariable"/>, or the default.</summary>
    public static long FaultPhase =>
        Environment.GetEnvironmentVariable(DurationVariable) is { Length: > 0 } text
            ? long.Parse(text, CultureInfo.InvariantCulture)
            : ShardedClusterSimulation.DefaultFaultPhase;

    public static string ReplayCommand(int seed, long faultPhase) =>
        (faultPhase == ShardedClusterSimulation.DefaultFaultPhase ? "" : $"{DurationVariable}={faultPhase} ") +
        $"{SeedVariable}={seed} dotnet test --project tests/NodeNomad.Raft.Simulation.Tests --filter-method \"*replays_one_sharded_seed*\"";

    public static ShardedSeedOutcome Run(int seed, long? faultPhase = null, TextWriter? fullTrace = null)
    {
        var phase = faultPhase ?? FaultPhase;
        var started = Stopwatch.GetTimestamp();
        var simulation = new ShardedClusterSimulation(seed, phase, fullTrace);
        try
        {
            var result = simulation.Run();
            if (result.Check.Verdict == Verdict.Linearizable)
            {
                return new ShardedSeedOutcome(seed, result, null, Stopwatch.GetElapsedTime(started), simulation.Trace.Hash, simulation.Events);
            }

            var file = Path.Combine(Path.GetTempPath(), "nodenomad-sim", $"sharded-seed-{seed}.edn");
            Directory.CreateDirectory(Path.GetDirectoryName(file)!);
            NodeNomadKvHistory.Write(file, result.History);
            var problem = $"The clients' history is not linearizable ({result.Check.Verdict}): {result.Check.Message}{Environment.NewLine}" +
                $"History: {file}{Environment.NewLine}Re-check it with: dotnet run --project load/NodeNomad.Load -- check-history {file}";
            return new ShardedSeedOutcome(seed, result, Report(simulation, problem, null, phase), Stopwatch.GetElapsedTime(started), simulation.Trace.Hash, simulation.Events);
        }
#pragma warning disable CA1031 // Whatever stops a run (a broken invariant, or an exception from the core) is that seed's failure.
        catch (Exception e)
#pragma warning restore CA1031
        {
            var problem = e switch
            {
                InvariantViolationException => "Invariant violated: " + e.Message,
                LivenessException => e.Message,
                _ => $"{e.GetType().Name} thrown: {e.Message}",
            };
            return new ShardedSeedOutcome(seed, null, Report(simulation, problem, e, phase), Stopwatch.GetElapsedTime(started), simulation.Trace.Hash, simulation.Events);
        }
    }

    private static string Report(ShardedClusterSimulation simulation, string problem, Exception? cause, long faultPhase)
    {
        var report = new StringBuilder();
        report.AppendLine(CultureInfo.InvariantCulture, $"Sharded seed {simulation.Seed} failed at t={simulation.Now} ms after {simulation.Events} events ({simulation.Settings}).");
        report.AppendLine(problem);
        report.AppendLine(CultureInfo.InvariantCulture, $"Replay: {ReplayCommand(simulation.Seed, faultPhase)}");
        report.AppendLine("Nodes:");
        try
        {
            report.AppendLine(simulation.DescribeNodes());
        }
#pragma warning disable CA1031 // A core that failed may fail again when asked for its status; the report goes on without it.
        catch (Exception e)
#pragma warning restore CA1031
        {
            report.AppendLine(CultureInfo.InvariantCulture, $"  (status unavailable: {e.Message})");
        }

        report.AppendLine("Last events:");
        report.Append(simulation.Trace.Tail(80));
        if (cause is not null and not InvariantViolationException and not LivenessException)
        {
            report.AppendLine(cause.ToString());
        }

        return report.ToString();
    }
}
