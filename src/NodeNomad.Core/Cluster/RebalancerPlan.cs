namespace NodeNomad.Core.Cluster;

/// <summary>What one round of the rebalancer decided, and what it hands the next round.</summary>
/// <param name="Decisions">The round's decisions, in order; at most one of them is a move.</param>
/// <param name="Memory">For the next round.</param>
public sealed record RebalancerPlan(IReadOnlyList<RebalancerDecision> Decisions, RebalancerMemory Memory)
{
    /// <summary>The meta commands carrying out the round's moves.</summary>
    public IReadOnlyList<MetaCommand> Commands => [.. Decisions.Select(Rebalancer.CommandFor).OfType<MetaCommand>()];
}
