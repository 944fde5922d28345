using NodeNomad.Console;

var builder = WebApplication.CreateBuilder(args);
var options = ConsoleOptions.Read(builder.Configuration, out var problems);
if (problems.Count > 0)
{
    await Console.Error.WriteLineAsync("The NodeNomad console cannot start: the configuration is invalid.");
    foreach (var problem in problems)
    {
        await Console.Error.WriteLineAsync($"  - {problem}");
    }

    return 2;
}

builder.AddNodeNomadConsole(options);
var app = builder.Build();
app.UseNodeNomadConsole();
await app.RunAsync();
return 0;

/// <summary>The console's entry point, visible to the functional tests.</summary>
public partial class Program;
