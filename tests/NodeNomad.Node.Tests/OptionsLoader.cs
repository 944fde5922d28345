using Microsoft.Extensions.Configuration;
using NodeNomad.Node.Configuration;

namespace NodeNomad.Node.Tests;

/// <summary>Binds and validates node options from settings, as the node does at start.</summary>
internal static class OptionsLoader
{
    public static (NodeOptions Options, IReadOnlyList<string> Failures) Load(Dictionary<string, string?> settings)
    {
        var options = new NodeOptions();
        options.Bind(new ConfigurationBuilder().AddInMemoryCollection(settings).Build());
        var result = new NodeOptionsValidator().Validate(null, options);
        return (options, result.Failures?.ToList() ?? []);
    }
}
