using NodeNomad.Contracts.Fleet;

namespace NodeNomad.Node.Fleet;

/// <summary>The node's state as the fleet reporter sends it to the console: the one seam between the reporter and the runtime.</summary>
public interface IFleetStatusSource
{
    /// <summary>The node's status now. Cheap and non-blocking: called once a second off the data path.</summary>
    NodeStatusReport Current();

    /// <summary>Which other members answer this node now; may take up to a peer timeout.</summary>
    Task<IReadOnlyList<PeerReachability>> PeersAsync(CancellationToken cancellationToken);
}
