using NodeNomad.Core.Cluster;

namespace NodeNomad.Simulation.Rebalancing;

/// <summary>
/// The requests a simulated cluster's clients send, shard by shard: the load belongs to a shard's keys, and whichever
/// replica leads the shard serves it. A model may choose its hot shards once, by the cluster it finds.
/// </summary>
public abstract class ShardLoad
{
    /// <summary>Each shard's requests per second at <paramref name="at"/> (virtual milliseconds).</summary>
    /// <param name="at">The time.</param>
    /// <param name="map">The meta leader's map.</param>
    /// <param name="leaders">Who leads each shard now (null: nobody).</param>
    public abstract IReadOnlyList<double> Rates(long at, ClusterMap map, Func<int, string?> leaders);

    /// <summary>What the model is, and what it chose, for a report.</summary>
    public abstract string Describe();
}
