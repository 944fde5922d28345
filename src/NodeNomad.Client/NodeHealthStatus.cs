namespace NodeNomad.Client;

/// <summary>The health a node reports for itself or for one of its checks.</summary>
public enum NodeHealthStatus
{
    /// <summary>The node or check cannot do its work.</summary>
    Unhealthy = 0,

    /// <summary>The node or check works, with reduced capacity or redundancy.</summary>
    Degraded = 1,

    /// <summary>All is well.</summary>
    Healthy = 2,
}
