namespace NodeNomad.Core.Cluster;

/// <summary>
/// What one round of the rebalancer hands the next: the nodes it is balancing (hot once, and not yet below the
/// hysteresis bound). Held by the meta leader only; a new leader starts from <see cref="Empty"/>.
/// </summary>
/// <param name="Balancing">The nodes being balanced, by id order.</param>
public sealed record RebalancerMemory(IReadOnlyList<string> Balancing)
{
    /// <summary>No node being balanced.</summary>
    public static RebalancerMemory Empty { get; } = new([]);
}
