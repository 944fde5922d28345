namespace NodeNomad.Contracts;

/// <summary>The states a node is reported in (<see cref="NodeInfo.State"/>), as they travel on the wire.</summary>
public static class NodeStates
{
    /// <summary>Answering its peers, and healthy.</summary>
    public const string Up = "up";

    /// <summary>Silent for a moment, or answering but not healthy.</summary>
    public const string Suspect = "suspect";

    /// <summary>Silent for longer, or never heard from.</summary>
    public const string Down = "down";

    /// <summary>Handing its leaderships and replicas to other nodes before it leaves.</summary>
    public const string Draining = "draining";

    /// <summary>No longer a member of the cluster.</summary>
    public const string Removed = "removed";
}
