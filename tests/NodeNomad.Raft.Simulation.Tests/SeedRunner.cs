using System.Diagnostics;
using System.Globalization;
using System.Text;
using NodeNomad.Linearizability;

namespace NodeNomad.Raft.Simulation.Tests;

/// <summary>Runs seeds, and turns a failure into a report that ends in the one command replaying it.</summary>
internal static class SeedRunner
{
    public const string SeedVariable = "NODENOMAD_SIM_SEED";
    public const string SeedsVariable = "NODENOMAD_SIM_SEEDS";
    public const string FirstSeedVariable = "NODENOMAD_SIM_FIRST_SEED";
    public const string DurationVariable = "NODENOMAD_SIM_DURATION";
    public const string FlawVariable = "NODENOMAD_SIM_FLAW";
    public const string TraceVariable = "NODENOMAD_SIM_TRACE";
    public const string ReadsVariable = "NODENOMAD_SIM_READS";

    /// <summary>Virtual milliseconds of faults per seed: <see cref="DurationVariable"/>, or the default.</summary>
    public static long FaultPhase =>
        Environment.GetEnvironmentVariable(DurationVariable) is { Length: > 0 } text
            ? long.Parse(text, CultureInfo.InvariantCulture)
            : ClusterSimulation.DefaultFaultPhase;

    /// <summary>How reads are confirmed: <see cref="ReadsVariable"/>=lease for lease-based reads, else ReadIndex.</summary>
    public static ReadOnlyOption Reads =>
        string.Equals(Environment.GetEnvironmentVariable(ReadsVariable), "lease", StringComparison.OrdinalIgnoreCase)
            ? ReadOnlyOption.LeaseBased
            : ReadOnlyOption.Safe;

    public static string ReplayCommand(int seed, HostFlaw flaw, long faultPhase, ReadOnlyOption readOnly)
    {
        var variables = new StringBuilder();
        if (readOnly == ReadOnlyOption.LeaseBased)
        {
            variables.Append(CultureInfo.InvariantCulture, $"{ReadsVariable}=lease ");
        }

        if (flaw != HostFlaw.None)
        {
            variables.Append(CultureInfo.InvariantCulture, $"{FlawVariable}={flaw} ");
        }

        if (faultPhase != ClusterSimulation.DefaultFaultPhase)
        {
            variables.Append(CultureInfo.InvariantCulture, $"{DurationVariable}={faultPhase} ");
        }

        return $"{variables}{SeedVariable}={seed} dotnet test --project tests/NodeNomad.Raft.Simulation.Tests --filter-method \"*replays_one_seed*\"";
    }

    public static SeedOutcome Run(int seed, HostFlaw flaw = HostFlaw.None, long? faultPhase = null, TextWriter? fullTrace = null, ReadOnlyOption? readOnly = null)
    {
        var phase = faultPhase ?? FaultPhase;
        var started = Stopwatch.GetTimestamp();
        var simulation = new ClusterSimulation(seed, flaw, phase, fullTrace, readOnly ?? Reads);
        try
        {
            var result = simulation.Run();
            if (result.Check.Verdict == Verdict.Linearizable)
            {
                return new SeedOutcome(seed, result, null, null, Stopwatch.GetElapsedTime(started), simulation.Trace.Hash, simulation.Events);
            }

            var file = Path.Combine(Path.GetTempPath(), "nodenomad-sim", $"seed-{seed}{(flaw == HostFlaw.None ? "" : "-" + flaw)}.edn");
            Directory.CreateDirectory(Path.GetDirectoryName(file)!);
            NodeNomadKvHistory.Write(file, result.History);
            var problem = $"The clients' history is not linearizable ({result.Check.Verdict}): {result.Check.Message}{Environment.NewLine}" +
                $"History: {file}{Environment.NewLine}Re-check it with: dotnet run --project load/NodeNomad.Load -- check-history {file}";
            return new SeedOutcome(seed, result, Report(simulation, problem, null, phase), null, Stopwatch.GetElapsedTime(started), simulation.Trace.Hash, simulation.Events, file);
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
            return new SeedOutcome(seed, null, Report(simulation, problem, e, phase), e, Stopwatch.GetElapsedTime(started), simulation.Trace.Hash, simulation.Events);
        }
    }

    private static string Report(ClusterSimulation simulation, string problem, Exception? cause, long faultPhase)
    {
        var report = new StringBuilder();
        report.AppendLine(CultureInfo.InvariantCulture, $"Seed {simulation.Seed} failed at t={simulation.Now} ms after {simulation.Events} events ({simulation.Settings}).");
        report.AppendLine(problem);
        report.AppendLine(CultureInfo.InvariantCulture, $"Replay: {ReplayCommand(simulation.Seed, simulation.Settings.Flaw, faultPhase, simulation.Settings.ReadOnly)}");
        report.AppendLine("Replicas:");
        try
        {
            report.AppendLine(simulation.DescribeReplicas());
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
