namespace NodeNomad.Contracts;

/// <summary>What a node tells its peers about itself (<c>GET /peer/v1/status</c> on the peer port).</summary>
/// <param name="NodeId">The node.</param>
/// <param name="ClientUrl">Where it serves the REST API.</param>
/// <param name="Version">Its NodeNomad version.</param>
/// <param name="StartedAt">When its process started.</param>
/// <param name="Role">Its Raft role in the data group.</param>
/// <param name="Term">Its term.</param>
/// <param name="LeaderId">The leader it knows, or null.</param>
/// <param name="CommitIndex">Its commit index.</param>
/// <param name="AppliedIndex">Its applied index.</param>
/// <param name="Healthy">Whether its log works and it has recovered.</param>
public sealed record PeerStatus(
    string NodeId,
    string ClientUrl,
    string Version,
    DateTimeOffset StartedAt,
    string Role,
    long Term,
    string? LeaderId,
    long CommitIndex,
    long AppliedIndex,
    bool Healthy);
