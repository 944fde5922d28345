using System.Globalization;
using NodeNomad.Load.Stores;

namespace NodeNomad.Load.Faults;

/// <summary>
/// Delays by <paramref name="DelayMs"/> and drops with probability <paramref name="Loss"/> every Raft message node
/// <c>node-{Index+1}</c> sends, through its peer transport's test switch (<c>NODENOMAD_TEST_FAULTS</c>), for
/// <paramref name="Span"/>.
/// </summary>
internal sealed record TransportDelay(int Index, int DelayMs, double Loss, TimeSpan Span) : IFault
{
    public string Name => string.Create(CultureInfo.InvariantCulture, $"node-{Index + 1} sends late ({DelayMs} ms) and drops {Loss:P0}");

    public string? Unsupported(IStoreDeployment deployment) =>
        deployment is NodeNomadDeployment nodes && nodes.Cluster.Nodes.All(n => n.User is not null) ? null : "the transport's test switch is given to chaos nodes only";

    public async Task RunAsync(FaultContext context, CancellationToken cancellationToken)
    {
        var file = ((NodeNomadDeployment)context.Deployment).Cluster.Nodes[Index].TransportFaultsFile;
        await File.WriteAllTextAsync(file, string.Create(CultureInfo.InvariantCulture, $"delay-ms={DelayMs} loss={Loss}"), cancellationToken);
        context.Mark($"{Name}: on");
        try
        {
            await Task.Delay(Span, cancellationToken);
        }
        finally
        {
            File.Delete(file);
            context.Mark($"{Name}: off");
        }
    }
}
