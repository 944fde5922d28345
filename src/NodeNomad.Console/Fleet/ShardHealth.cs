namespace NodeNomad.Console.Fleet;

/// <summary>How a shard stands, from its replicas' nodes.</summary>
public enum ShardHealth
{
    /// <summary>A leader, and every replica's node up.</summary>
    Healthy,

    /// <summary>A leader and a majority, but some replica's node down.</summary>
    UnderReplicated,

    /// <summary>No leader, or no majority of its replicas up.</summary>
    Unavailable,
}
