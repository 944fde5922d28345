using System.Runtime.InteropServices;
using NodeNomad.Load;

if (args.Length == 0)
{
    await Console.Error.WriteAsync(Usage.Text);
    return Usage.BadUsage;
}

if (args[0] is "-h" or "--help" or "help")
{
    await Console.Out.WriteAsync(Usage.Text);
    return 0;
}

if (args[0] == "check-history")
{
    if (args.Length != 2 || args[1] is "-h" or "--help")
    {
        await Console.Error.WriteAsync(Usage.Text);
        return Usage.BadUsage;
    }

    return await CheckHistory.RunAsync(args[1], TimeSpan.FromMinutes(5), Console.Out);
}

if (args[0] == "simulate")
{
    return Simulate.Run(args[1..], Console.Out);
}

if (args[0] is "run" or "compare")
{
    return await NodeNomad.Load.Scenarios.ScenarioCommand.RunAsync(args, Console.Out, Console.Error);
}

if (args[0] == "compare-report")
{
    return await NodeNomad.Load.Comparison.ComparisonCommand.RunAsync(args[1..], Console.Out, Console.Error);
}

var command = args[0];
if (command is not ("bench-writes" or "bench-cluster" or "bench-storage" or "bench-sharded" or "bench-idle" or "bench-migrate" or "bench-join" or "bench-compare"))
{
    await Console.Error.WriteLineAsync($"Unknown command '{command}'.");
    await Console.Error.WriteAsync(Usage.Text);
    return Usage.BadUsage;
}

var rest = args.Skip(1).ToArray();
if (rest.Any(a => a is "-h" or "--help"))
{
    await Console.Out.WriteAsync(Usage.Text);
    return 0;
}

Func<CancellationToken, Task<bool>>? bench = null;
string? error;
if (command == "bench-writes")
{
    if (BenchWritesOptions.TryParse(rest, out var writesOptions, out error))
    {
        bench = cancellationToken => BenchWrites.RunAsync(writesOptions, Console.Out, cancellationToken);
    }
}
else if (command == "bench-storage")
{
    if (BenchStorageOptions.TryParse(rest, out var storageOptions, out error))
    {
        bench = cancellationToken => BenchStorage.RunAsync(storageOptions, Console.Out, cancellationToken);
    }
}
else if (command == "bench-idle")
{
    var shardCounts = new List<int> { 8, 1000 };
    var idleSeconds = 10;
    error = null;
    for (var i = 0; i < rest.Length && error is null; i += 2)
    {
        var value = i + 1 < rest.Length ? rest[i + 1] : null;
        switch (rest[i])
        {
            case "--shards" when value is not null && value.Split(',').All(v => int.TryParse(v, out var n) && n is >= 1 and <= 4096):
                shardCounts = [.. value.Split(',').Select(v => int.Parse(v, System.Globalization.CultureInfo.InvariantCulture))];
                break;
            case "--seconds" when int.TryParse(value, out var s) && s is >= 1 and <= 600:
                idleSeconds = s;
                break;
            default:
                error = $"bench-idle: '{rest[i]} {value}' is not --shards LIST (1-4096 each) or --seconds N (1-600).";
                break;
        }
    }

    if (error is null)
    {
        bench = cancellationToken => BenchIdle.RunAsync(shardCounts, idleSeconds, Console.Out, cancellationToken);
    }
}
else if (command == "bench-migrate")
{
    List<int> sizes = [64, 512];
    var writers = 4;
    error = null;
    for (var i = 0; i < rest.Length && error is null; i += 2)
    {
        var value = i + 1 < rest.Length ? rest[i + 1] : null;
        switch (rest[i])
        {
            case "--sizes" when value is not null && value.Split(',').All(v => int.TryParse(v, out var n) && n is >= 1 and <= 1024):
                sizes = [.. value.Split(',').Select(v => int.Parse(v, System.Globalization.CultureInfo.InvariantCulture))];
                break;
            case "--clients" when int.TryParse(value, out var c) && c is >= 1 and <= 256:
                writers = c;
                break;
            default:
                error = $"bench-migrate: '{rest[i]} {value}' is not --sizes LIST (MiB, 1-1024 each) or --clients N (1-256).";
                break;
        }
    }

    if (error is null)
    {
        bench = cancellationToken => BenchMigrate.RunAsync(sizes, writers, Console.Out, cancellationToken);
    }
}
else if (command == "bench-join")
{
    var sizeMiB = 64;
    var writers = 2;
    error = null;
    for (var i = 0; i < rest.Length && error is null; i += 2)
    {
        var value = i + 1 < rest.Length ? rest[i + 1] : null;
        switch (rest[i])
        {
            case "--size" when int.TryParse(value, out var size) && size is >= 1 and <= 4096:
                sizeMiB = size;
                break;
            case "--clients" when int.TryParse(value, out var c) && c is >= 1 and <= 256:
                writers = c;
                break;
            default:
                error = $"bench-join: '{rest[i]} {value}' is not --size MIB (1-4096) or --clients N (1-256).";
                break;
        }
    }

    if (error is null)
    {
        bench = cancellationToken => BenchJoin.RunAsync(sizeMiB, writers, Console.Out, cancellationToken);
    }
}
else if (command == "bench-compare")
{
    if (NodeNomad.Load.Comparison.BenchCompareOptions.TryParse(rest, out var compareOptions, out error))
    {
        bench = cancellationToken => NodeNomad.Load.Comparison.BenchCompare.RunAsync(compareOptions, Console.Out, cancellationToken);
    }
}
else if (command == "bench-sharded")
{
    if (BenchShardedOptions.TryParse(rest, out var shardedOptions, out error))
    {
        bench = cancellationToken => BenchSharded.RunAsync(shardedOptions, Console.Out, cancellationToken);
    }
}
else if (BenchClusterOptions.TryParse(rest, out var clusterOptions, out error))
{
    bench = cancellationToken => BenchCluster.RunAsync(clusterOptions, Console.Out, cancellationToken);
}

if (bench is null)
{
    await Console.Error.WriteLineAsync(error);
    await Console.Error.WriteAsync(Usage.Text);
    return Usage.BadUsage;
}

// Ctrl+C and SIGTERM cancel the load so that the nodes, etcd and PostgreSQL this program started are stopped and their data removed.
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
    return await bench(interrupted.Token) ? 0 : 1;
}
catch (OperationCanceledException) when (interrupted.IsCancellationRequested)
{
    await Console.Error.WriteLineAsync("Interrupted: stopped what this program started and removed its data.");
    return 130;
}
catch (BenchSetupException e)
{
    await Console.Error.WriteLineAsync($"{command} cannot run: {e.Message}");
    return 1;
}
