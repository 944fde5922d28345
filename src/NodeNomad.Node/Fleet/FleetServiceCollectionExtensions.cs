using NodeNomad.Node.Fleet;

// In the namespace of IServiceCollection, as registration extensions are, so the composition root needs no using.
namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers the fleet reporter.</summary>
public static class FleetServiceCollectionExtensions
{
    /// <summary>
    /// Adds the reporter that pushes this node's status and events to the console's fleet hub when
    /// <c>CONSOLE_URL</c> is configured.
    /// </summary>
    public static IServiceCollection AddFleetReporter(this IServiceCollection services)
    {
        services.AddSingleton<FleetEvents>();
        services.AddSingleton<IFleetStatusSource, NodeStatusSource>();
        services.AddHostedService<FleetReporter>();
        return services;
    }
}
