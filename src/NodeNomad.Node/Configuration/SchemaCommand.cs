using Microsoft.Extensions.Options;
using NodeNomad.Storage.Marten;

namespace NodeNomad.Node.Configuration;

/// <summary><c>NodeNomad.Node apply-schema</c>: creates or updates the Marten log's schema and exits.</summary>
public static class SchemaCommand
{
    /// <summary>Applies the schema the node's options name; returns the process exit code.</summary>
    public static async Task<int> ApplyAsync(IServiceProvider services)
    {
        ArgumentNullException.ThrowIfNull(services);
        var options = services.GetRequiredService<IOptions<NodeOptions>>().Value;
        if (options.Storage != NodeOptions.MartenStorage)
        {
            await Console.Error.WriteLineAsync($"apply-schema needs {NodeOptions.Keys.Storage}={NodeOptions.MartenStorage}: the file store has no schema.");
            return 2;
        }

        await MartenRaftLog.ApplySchemaAsync(options.MartenLogOptions());
        await Console.Out.WriteLineAsync($"The schema '{options.MartenSchema}' is up to date.");
        return 0;
    }
}
