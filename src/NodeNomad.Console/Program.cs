using NodeNomad.Console;
using NodeNomad.Console.Security;

if (args is ["hash-password"])
{
    // The password comes on standard input, never on the command line, where other users of the host could read it.
    var password = Console.In.ReadLine();
    if (string.IsNullOrEmpty(password))
    {
        await Console.Error.WriteLineAsync("Give the password on standard input: echo -n 'the password' | NodeNomad.Console hash-password");
        return 2;
    }

    await Console.Out.WriteLineAsync($"{ConsoleOptions.PasswordHashKey}={AdminPassword.Hash(password)}");
    return 0;
}

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
