using NodeNomad.Load.Stores;

namespace NodeNomad.Load.Faults;

/// <summary>Pauses node <c>node-{Index+1}</c> with SIGSTOP for <paramref name="paused"/>, then resumes it with SIGCONT.</summary>
internal sealed class NodePause(int index, TimeSpan paused) : IFault
{
    public string Name => FormattableString.Invariant($"SIGSTOP node-{index + 1}");

    public string? Unsupported(IStoreDeployment deployment) => deployment is NodeNomadDeployment ? null : "only NodeNomad's nodes are paused";

    public async Task RunAsync(FaultContext context, CancellationToken cancellationToken)
    {
        var node = ((NodeNomadDeployment)context.Deployment).Cluster.Nodes[index];
        var pid = node.ProcessId.ToString(System.Globalization.CultureInfo.InvariantCulture);
        NodeUser.Run("kill", "-STOP", pid);
        context.Mark($"{Name}: paused");
        try
        {
            await Task.Delay(paused, cancellationToken);
        }
        finally
        {
            NodeUser.Run("kill", "-CONT", pid);
            context.Mark($"node-{index + 1} resumed (SIGCONT)");
        }
    }
}
