using NodeNomad.Load.Stores;

namespace NodeNomad.Load.Faults;

/// <summary>Kills node <c>node-{Index+1}</c> with SIGKILL, keeps it down for <paramref name="down"/>, then restarts it on its data.</summary>
internal sealed class NodeKill(int index, TimeSpan down) : IFault
{
    public string Name => FormattableString.Invariant($"SIGKILL node-{index + 1}");

    public string? Unsupported(IStoreDeployment deployment) => deployment is NodeNomadDeployment ? null : "only NodeNomad's nodes are killed";

    public async Task RunAsync(FaultContext context, CancellationToken cancellationToken)
    {
        var node = ((NodeNomadDeployment)context.Deployment).Cluster.Nodes[index];
        await node.KillAsync();
        context.Mark($"{Name}: killed");
        try
        {
            await Task.Delay(down, cancellationToken);
        }
        finally
        {
            await node.RestartAsync(CancellationToken.None);
            context.Mark($"node-{index + 1} restarted and ready");
        }
    }
}
