using System.Diagnostics;
using System.Globalization;
using NodeNomad.Node.Runtime;
using NodeNomad.Raft;
using NodeNomad.Simulation;

namespace NodeNomad.Load;

/// <summary>
/// <c>simulate --seed N [--seeds COUNT] [--steps MS] [--flaw NAME] [--reads lease] [--placement] [--trace]</c>: runs seeds of the simulation of
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
        var reads = ReadOnlyOption.Safe;
        var placement = false;
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
                case "--reads" when value is "lease" or "safe":
                    reads = value == "lease" ? ReadOnlyOption.LeaseBased : ReadOnlyOption.Safe;
                    i++;
                    break;
                case "--trace":
                    trace = true;
                    break;
                case "--placement":
                    placement = true;
                    break;
                default:
                    Console.Error.WriteLine($"simulate: bad option '{args[i]}'{(value is null ? "" : $" '{value}'")}.");
                    Console.Error.Write(Usage.Text);
                    return Usage.BadUsage;
            }
        }

        var started = Stopwatch.GetTimestamp();
        var outcomes = new CoreSeedOutcome[count];
        if (trace || count == 1)
        {
            outcomes[0] = CoreSeedRunner.Run(seed, flaw, steps, trace ? output : null, reads, placement);
            for (var i = 1; i < count; i++)
            {
                outcomes[i] = CoreSeedRunner.Run(seed + i, flaw, steps, trace ? output : null, reads, placement);
            }
        }
        else
        {
            // Seeds are independent and each is deterministic on its own: run them on every core.
            Parallel.For(0, count, new ParallelOptions { MaxDegreeOfParallelism = Environment.ProcessorCount }, i => outcomes[i] = CoreSeedRunner.Run(seed + i, flaw, steps, null, reads, placement));
        }

        var failed = 0;
        foreach (var outcome in outcomes)
        {
            if (!outcome.Passed)
            {
                failed++;
                output.WriteLine(outcome.Failure);
            }
            else if (count == 1 || trace)
            {
                var r = outcome.Result!;
                output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"seed {outcome.Seed}: passed in {outcome.Elapsed.TotalMilliseconds:F0} ms — {r.Events} events to t={r.EndedAt} ms, {r.Crashes} crashes, {r.SaveFailures} failed saves, {r.Partitions} partitions, {r.Completed} operations ({r.Unknown} unknown), {r.MovesDone} migrations done ({r.MovesUndone} undone, {r.Cancels} cancels asked), {r.Transfers} leadership transfers, {r.StatesCompared} replica states compared, joiner promoted: {r.JoinerPromoted}, trace {r.TraceHash:x16}; {r.Settings}"));
            }
        }

        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{count - failed} of {count} seeds passed (seeds {seed}..{seed + count - 1}{(flaw == CoreFlaw.None ? "" : $", flaw {flaw}")}{(reads == ReadOnlyOption.Safe ? "" : ", lease reads")}) in {Stopwatch.GetElapsedTime(started).TotalSeconds:F1} s"));
        return failed == 0 ? 0 : 1;
    }
}
