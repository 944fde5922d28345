namespace NodeNomad.Contracts;

/// <summary>A node's place in placement (<see cref="NodeInfo.Membership"/>), as it travels on the wire.</summary>
public static class NodeMemberships
{
    /// <summary>Takes part in placement: it may receive replicas and leaderships.</summary>
    public const string Active = "active";

    /// <summary>Handing its leaderships and then its replicas to other nodes; placement gives it nothing new.</summary>
    public const string Draining = "draining";

    /// <summary>Handed everything over: it holds no replica, and may be removed or brought back.</summary>
    public const string Drained = "drained";

    /// <summary>Taken out of the cluster: it may not join again under its name.</summary>
    public const string Removed = "removed";
}
