using System.Runtime.InteropServices;
using NodeNomad.Load.Scenarios;

namespace NodeNomad.Load.Comparison;

/// <summary>
/// The <c>compare-report</c> command. Exit codes: 0 sound (no acknowledged write lost, every member answers, and
/// every chaos round did its fault and was judged linearizable); 1 not sound, or it could not run; 2 bad usage;
/// 130 interrupted.
/// </summary>
internal static class ComparisonCommand
{
    public static async Task<int> RunAsync(IReadOnlyList<string> args, TextWriter output, TextWriter errors)
    {
        if (args.Any(a => a is "-h" or "--help"))
        {
            await output.WriteAsync(Usage.Text);
            return 0;
        }

        if (!ComparisonOptions.TryParse(args, out var options, out var error))
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
            var root = options.Out ?? Path.Combine(RepositoryLayout.Find().Root, "load", "reports");
            Directory.CreateDirectory(root);
            var report = await ComparisonRun.RunAsync(options, root, output, ProgressView.Live(output), interrupted.Token);
            return report.Sound ? 0 : 1;
        }
        catch (OperationCanceledException) when (interrupted.IsCancellationRequested)
        {
            await errors.WriteLineAsync("Interrupted: stopped what this program started and removed its data.");
            return 130;
        }
        catch (BenchSetupException e)
        {
            await errors.WriteLineAsync($"compare-report cannot run: {e.Message}");
            return 1;
        }
    }
}
