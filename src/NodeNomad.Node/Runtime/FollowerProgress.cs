namespace NodeNomad.Node.Runtime;

/// <summary>How far a member's log is known to reach, as its leader sees it.</summary>
/// <param name="NodeId">The member's node.</param>
/// <param name="Match">The last entry it is known to hold.</param>
/// <param name="State">probe, replicate or snapshot.</param>
public sealed record FollowerProgress(string NodeId, ulong Match, string State);
