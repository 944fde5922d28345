using System.Runtime.InteropServices;
using NodeNomad.Launcher;
using NodeNomad.Launcher.Control;

if (ControlCommand.IsCommand(args))
{
    if (!ControlCommand.TryParse(args, out var command, out var problem))
    {
        await Console.Error.WriteLineAsync(problem);
        await Console.Error.WriteAsync(Usage.Text);
        return Usage.BadUsage;
    }

    if (command.Help)
    {
        await Console.Out.WriteAsync(Usage.Text);
        return Usage.Stopped;
    }

    return await ControlClient.RunAsync(command, Console.Out, Console.Error);
}

if (!LaunchOptions.TryParse(args, out var options, out var error))
{
    await Console.Error.WriteLineAsync(error);
    await Console.Error.WriteAsync(Usage.Text);
    return Usage.BadUsage;
}

if (options.Help)
{
    await Console.Out.WriteAsync(Usage.Text);
    return Usage.Stopped;
}

if (RepositoryLayout.Find() is not { } layout)
{
    await Console.Error.WriteLineAsync("NodeNomad.Launcher cannot find NodeNomad.sln above its build or the working folder; run it from the repository.");
    return Usage.Failed;
}

using var stop = new CancellationTokenSource();
void Stop(PosixSignalContext context)
{
    context.Cancel = true;
    stop.Cancel();
}

using var onInterrupt = PosixSignalRegistration.Create(PosixSignal.SIGINT, Stop);
using var onTerminate = PosixSignalRegistration.Create(PosixSignal.SIGTERM, Stop);
return await new LocalFleet(options, layout, Console.Out).RunAsync(stop.Token);
