using System.Diagnostics;
using System.Globalization;
using NodeNomad.Node.Runtime;
using NodeNomad.Simulation;

namespace NodeNomad.Load;

/// <summary>
/// <c>simulate --seed N [--seeds COUNT] [--steps MS] [--flaw NAME] [--trace]</c>: runs seeds of the simulation of
/// the node's real core (the same class the node runs, over simulated disks, network and clocks), prints each
/// failing seed's report, and with <c>--trace</c> every event of the run.
/// </summary>
internal static class Simulate
{
    public static int Run(string[] args, TextWriter output)
    {
        var seed = 1;
        var count = 1;
        var steps = CoreClusterSimulation.DefaultFaultPhase;
        var flaw = CoreFlaw.None;
        var trace = false;
        for (var i = 0; i < args.Length; i++)
        {
            var value = i + 1 < args.Length ? args[i + 1] : null;
            switch (args[i])
            {
                case "--seed" when int.TryParse(value, NumberStyles.Integer, CultureInfo.InvariantCulture, out seed):
                case "--seeds" when int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out count) && count >= 1:
                case "--steps" when long.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out steps) && steps >= 100:
                case "--flaw" when Enum.TryParse(value, ignoreCase: true, out flaw):
                    i++;
                    break;
                case "--trace":
                    trace = true;
                    break;
                default:
                    Console.Error.WriteLine($"simulate: bad option '{args[i]}'{(value is null ? "" : $" '{value}'")}.");
                    Console.Error.Write(Usage.Text);
                    return Usage.BadUsage;
            }
        }

        var started = Stopwatch.GetTimestamp();
        var failed = 0;
        for (var s = seed; s < seed + count; s++)
        {
            var outcome = CoreSeedRunner.Run(s, flaw, steps, trace ? output : null);
            if (!outcome.Passed)
            {
                failed++;
                output.WriteLine(outcome.Failure);
            }
            else if (count == 1 || trace)
            {
                var r = outcome.Result!;
                output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"seed {s}: passed in {outcome.Elapsed.TotalMilliseconds:F0} ms — {r.Events} events to t={r.EndedAt} ms, {r.Crashes} crashes, {r.SaveFailures} failed saves, {r.Partitions} partitions, {r.Completed} operations ({r.Unknown} unknown), trace {r.TraceHash:x16}; {r.Settings}"));
            }
        }

        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{count - failed} of {count} seeds passed (seeds {seed}..{seed + count - 1}{(flaw == CoreFlaw.None ? "" : $", flaw {flaw}")}) in {Stopwatch.GetElapsedTime(started).TotalSeconds:F1} s"));
        return failed == 0 ? 0 : 1;
    }
}
