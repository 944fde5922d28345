using System.Globalization;
using System.Runtime.InteropServices;
using NodeNomad.Load.Reports;

namespace NodeNomad.Load.Scenarios;

/// <summary>
/// The <c>run</c> and <c>compare</c> commands. Exit codes: 0 the run was sound (no acknowledged write lost, every
/// member still answers, a chaos run's history judged linearizable) — whatever its throughput and error counts, which
/// are reported; 1 not sound (a history the checker could not judge in time included), or it could not run; 2 bad
/// usage; 130 interrupted.
/// </summary>
internal static class ScenarioCommand
{
    public static async Task<int> RunAsync(IReadOnlyList<string> args, TextWriter output, TextWriter errors)
    {
        if (args.Skip(1).Any(a => a is "-h" or "--help"))
        {
            await output.WriteAsync(Usage.Text);
            return 0;
        }

        if (!ScenarioOptions.TryParse(args, out var options, out var error))
        {
            await errors.WriteLineAsync(error);
            await errors.WriteLineAsync("See: dotnet run --project load/NodeNomad.Load -- --help");
            return Usage.BadUsage;
        }

        // Ctrl+C and SIGTERM cancel the load so that the nodes and etcd this program started are stopped and their data removed.
        using var interrupted = new CancellationTokenSource();
        void Interrupt(PosixSignalContext context)
        {
            context.Cancel = true;
            interrupted.Cancel();
        }

        using var onInterrupt = PosixSignalRegistration.Create(PosixSignal.SIGINT, Interrupt);
        using var onTerminate = PosixSignalRegistration.Create(PosixSignal.SIGTERM, Interrupt);
        try
        {
            return await RunAsync(options, output, ProgressView.Live(output), interrupted.Token) ? 0 : 1;
        }
        catch (OperationCanceledException) when (interrupted.IsCancellationRequested)
        {
            await errors.WriteLineAsync("Interrupted: stopped what this program started and removed its data.");
            return 130;
        }
        catch (BenchSetupException e)
        {
            await errors.WriteLineAsync($"{args[0]} {options.Scenario.Name} cannot run: {e.Message}");
            return 1;
        }
    }

    /// <summary>Runs the options' scenario (or the comparison); true when every run was sound.</summary>
    public static async Task<bool> RunAsync(ScenarioOptions options, TextWriter output, bool live, CancellationToken cancellationToken)
    {
        var folder = options.Out ?? DefaultFolder(options);
        if (!options.Compare)
        {
            var report = await ScenarioRunner.RunAsync(options.Scenario, options.Target, options.Profile, options.Seed, folder, output, live, cancellationToken);
            return report.Sound;
        }

        var nodeNomad = await ScenarioRunner.RunAsync(options.Scenario, StoreKind.NodeNomad, options.Profile, options.Seed, Path.Combine(folder, "nodenomad"), output, live, cancellationToken);
        await output.WriteLineAsync();
        var etcd = await ScenarioRunner.RunAsync(options.Scenario, StoreKind.Etcd, options.Profile, options.Seed, Path.Combine(folder, "etcd"), output, live, cancellationToken);
        var comparison = CompareReport.Of(nodeNomad, etcd);
        CompareReport.Write(comparison, folder);
        await output.WriteLineAsync();
        await output.WriteAsync(CompareReport.Table(comparison));
        return nodeNomad.Sound && etcd.Sound;
    }

    private static string DefaultFolder(ScenarioOptions options)
    {
        var stamp = DateTime.UtcNow.ToString("yyyyMMdd-HHmmss", CultureInfo.InvariantCulture);
        var name = options.Compare ? $"compare-{options.Scenario.Name}-{stamp}" : $"{options.Scenario.Name}-{ScenarioRunner.Name(options.Target).ToLowerInvariant()}-{stamp}";
        string root;
        try
        {
            root = Path.Combine(RepositoryLayout.Find().Root, "artifacts", "load");
        }
        catch (BenchSetupException)
        {
            root = Path.Combine(Path.GetTempPath(), "nodenomad-load");
        }

        return Path.Combine(root, name);
    }
}
