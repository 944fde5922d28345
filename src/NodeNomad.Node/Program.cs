using Microsoft.Extensions.Options;
using NodeNomad.Node;
using NodeNomad.Node.Configuration;
using NodeNomad.Node.Operations;
using NodeNomad.Storage;

if (args is [HandOverCommand.Name])
{
    // The container's stop hook talks to the node beside it; it starts no node of its own.
    return await HandOverCommand.RunAsync(Console.Out);
}

try
{
    var builder = WebApplication.CreateBuilder(args);
    builder.AddNodeNomadNode();
    var app = builder.Build();
    if (args is ["apply-schema"])
    {
        // The production step for STORAGE=marten with MARTEN_AUTO_CREATE=false: create or update the schema, then exit.
        return await SchemaCommand.ApplyAsync(app.Services);
    }

    app.UseNodeNomadNode();
    await app.RunAsync();
    return 0;
}
catch (OptionsValidationException e)
{
    await Console.Error.WriteLineAsync("NodeNomad cannot start: the configuration is invalid.");
    foreach (var failure in e.Failures)
    {
        await Console.Error.WriteLineAsync($"  - {failure}");
    }

    return 2;
}
catch (LogCorruptedException e)
{
    await Console.Error.WriteLineAsync($"NodeNomad cannot start: {e.Message}");
    return 3;
}
catch (Exception e) when (MissingTable(e) is { } missing)
{
    await Console.Error.WriteLineAsync(
        $"NodeNomad cannot start: the log's tables are missing from the PostgreSQL schema ({missing.MessageText}). Run the node once with the argument apply-schema, or set MARTEN_AUTO_CREATE=true.");
    return 5;
}
catch (IOException e) when (e.InnerException is Microsoft.AspNetCore.Connections.AddressInUseException)
{
    await Console.Error.WriteLineAsync($"NodeNomad cannot start: {e.Message} Another process holds the port; set NODE_PORT or PEER_PORT.");
    return 4;
}

// Marten wraps PostgreSQL's errors; the one that matters at start is a schema that was never applied.
static Npgsql.PostgresException? MissingTable(Exception? e)
{
    for (; e is not null; e = e.InnerException)
    {
        if (e is Npgsql.PostgresException { SqlState: Npgsql.PostgresErrorCodes.UndefinedTable } missing)
        {
            return missing;
        }
    }

    return null;
}

/// <summary>The node's entry point, visible to the functional tests.</summary>
public partial class Program;
