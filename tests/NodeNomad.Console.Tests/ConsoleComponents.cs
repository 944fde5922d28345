using Bunit;
using Microsoft.Extensions.DependencyInjection;
using MudBlazor.Services;
using NodeNomad.Client;
using NodeNomad.Console.Cluster;
using NodeNomad.Console.Fleet;

namespace NodeNomad.Console.Tests;

/// <summary>A bUnit context with what the console's components need: MudBlazor, a fleet state, a cluster behind a fake node.</summary>
public static class ConsoleComponents
{
    public static BunitContext Context(FleetState fleet, FakeNodeNomadApi? node = null, TimeProvider? clock = null)
    {
        var context = new BunitContext();
        context.JSInterop.Mode = JSRuntimeMode.Loose;
        context.Services.AddMudServices();
        context.Services.AddSingleton(fleet);
        context.Services.AddSingleton(clock ?? TimeProvider.System);
        context.Services.AddSingleton(new ClusterConnection([new NodeNomadClient(node ?? new FakeNodeNomadApi())]));
        return context;
    }
}
