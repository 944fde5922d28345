using Microsoft.Extensions.Options;

namespace NodeNomad.Client;

/// <summary>Fails the resolution of <see cref="NodeNomadClusterClient"/> with the option at fault named.</summary>
internal sealed class ClusterClientOptionsValidation : IValidateOptions<NodeNomadClusterClientOptions>
{
    public ValidateOptionsResult Validate(string? name, NodeNomadClusterClientOptions options) =>
        options.Problem() is { } problem ? ValidateOptionsResult.Fail(problem) : ValidateOptionsResult.Success;
}
