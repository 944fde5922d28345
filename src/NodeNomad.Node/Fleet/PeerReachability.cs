namespace NodeNomad.Node.Fleet;

/// <summary>Whether a member answered this node when last asked.</summary>
/// <param name="NodeId">The member.</param>
/// <param name="Reachable">True when it answered.</param>
public sealed record PeerReachability(string NodeId, bool Reachable);
