using NodeNomad.Contracts;
using NodeNomad.Node.Configuration;
using NodeNomad.Node.Shards;

namespace NodeNomad.Node.Peers;

/// <summary>The peer port's own endpoints (beside the Raft transport).</summary>
public static class PeerApi
{
    /// <summary>Maps <c>GET /peer/v1/status</c>.</summary>
    public static IEndpointRouteBuilder MapPeerApi(this IEndpointRouteBuilder routes)
    {
        routes.MapGet("/peer/v1/status", (NodeIdentity identity, ShardReplica shard) => LocalStatus(identity, shard)).ExcludeFromDescription();
        return routes;
    }

    /// <summary>This node's status as peers see it.</summary>
    public static PeerStatus LocalStatus(NodeIdentity identity, ShardReplica shard)
    {
        ArgumentNullException.ThrowIfNull(identity);
        ArgumentNullException.ThrowIfNull(shard);
        var status = shard.Status;
        return new PeerStatus(identity.NodeId, identity.ClientUrl, NodeIdentity.Version, identity.StartedAt, status.RoleName, (long)status.Term,
            status.LeaderId, (long)status.CommitIndex, (long)status.AppliedIndex, shard.Failure is null && shard.Recovered);
    }
}
