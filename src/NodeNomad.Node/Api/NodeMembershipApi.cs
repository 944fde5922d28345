using NodeNomad.Contracts;
using NodeNomad.Core.Cluster;
using NodeNomad.Node.Http;
using NodeNomad.Node.Peers;
using NodeNomad.Node.Shards;
using NodeNomad.Node.Security;

namespace NodeNomad.Node.Api;

/// <summary>
/// Taking nodes out of placement and back: <c>POST /api/v1/cluster/nodes/{id}/drain</c>, <c>POST …/undrain</c> and
/// <c>DELETE /api/v1/cluster/nodes/{id}</c>. Each records the change in the meta group (its leader takes it; another
/// node forwards the request); the placement driver on the meta leader then moves leaderships and replicas.
/// </summary>
public static class NodeMembershipApi
{
    /// <summary>Maps the drain, undrain and remove endpoints.</summary>
    public static IEndpointRouteBuilder MapNodeMembershipApi(this IEndpointRouteBuilder routes)
    {
        var nodes = routes.MapGroup("/api/v1/cluster/nodes").WithTags("Cluster").RequireScope(ApiScopes.Admin);
        nodes.MapPost("/{id}/drain", DrainAsync);
        nodes.MapPost("/{id}/undrain", UndrainAsync);
        nodes.MapDelete("/{id}", RemoveAsync);
        return routes;
    }

    /// <summary>What a draining node has left to hand over, and why it waits if it cannot finish; null for any other node.</summary>
    public static string? DrainStatus(ClusterMap map, string nodeId, IReadOnlyCollection<int> leaderships, Func<string, bool> isUp)
    {
        ArgumentNullException.ThrowIfNull(map);
        ArgumentNullException.ThrowIfNull(leaderships);
        ArgumentNullException.ThrowIfNull(isUp);
        if (map.Node(nodeId) is not { Membership: NodeRecord.Draining })
        {
            return null;
        }

        var replicas = map.Shards.Count(s => s.IsHeldBy(nodeId));
        var left = $"{replicas} replica(s) and {leaderships.Count} leadership(s) left";
        return PlacementPolicy.DrainBlocker(map, nodeId, n => isUp(n) ? 0 : long.MaxValue, 0) is { } blocker
            ? $"{left}; waiting: {blocker}"
            : left;
    }

    private static async Task<IResult> DrainAsync(string id, HttpContext context, ReplicaHost host, ClusterObserver observer, LeaderForwarder forwarder, CancellationToken cancellationToken)
    {
        var map = host.Map;
        if (map.Node(id) is not { } node)
        {
            return Problems.NodeNotFound(id, map.Nodes.Select(n => n.Id));
        }

        if (node.Membership != NodeRecord.Active)
        {
            return Problems.Conflict(node.Membership switch
            {
                NodeRecord.Draining => $"{id} is already draining.",
                NodeRecord.Drained => $"{id} is already drained: undrain it to bring it back, or remove it.",
                _ => $"{id} was removed from the cluster.",
            });
        }

        return await ProposeAsync(context, host, forwarder, new DrainNode(id, host.CommandClock.Now, MigrationApi.RequestedBy(context)), id, NodeRecord.Draining,
            $"{id} hands its leaderships and then its replicas to other nodes; GET /api/v1/cluster/nodes shows what is left.", cancellationToken);
    }

    private static async Task<IResult> UndrainAsync(string id, HttpContext context, ReplicaHost host, LeaderForwarder forwarder, CancellationToken cancellationToken)
    {
        var map = host.Map;
        if (map.Node(id) is not { } node)
        {
            return Problems.NodeNotFound(id, map.Nodes.Select(n => n.Id));
        }

        if (node.Membership is not (NodeRecord.Draining or NodeRecord.Drained))
        {
            return Problems.Conflict(node.Membership == NodeRecord.Removed
                ? $"{id} was removed from the cluster; it cannot come back under that name."
                : $"{id} is {node.Membership}, neither draining nor drained.");
        }

        return await ProposeAsync(context, host, forwarder, new UndrainNode(id, host.CommandClock.Now, MigrationApi.RequestedBy(context)), id, NodeRecord.Active,
            $"{id} takes part in placement again and receives its share of replicas.", cancellationToken);
    }

    private static async Task<IResult> RemoveAsync(string id, HttpContext context, ReplicaHost host, ClusterObserver observer, LeaderForwarder forwarder, CancellationToken cancellationToken)
    {
        var map = host.Map;
        if (map.Node(id) is not { } node)
        {
            return Problems.NodeNotFound(id, map.Nodes.Select(n => n.Id));
        }

        var held = map.Shards.Where(s => s.IsHeldBy(id)).Select(s => ShardNames.Of(s.Id)).ToList();
        var up = observer.StateOf(id) != NodeStates.Down;
        if (held.Count > 0)
        {
            return Problems.Conflict(up
                ? $"{id} is up and still holds replicas of {string.Join(", ", held)}: drain it first."
                : $"{id} is down and still holds replicas of {string.Join(", ", held)}; they are re-created elsewhere once it has been down for DOWN_AFTER. Remove it when it holds none.");
        }

        if (node.Membership == NodeRecord.Active && up)
        {
            return Problems.Conflict($"{id} is active and up: drain it first, so it takes no new replicas.");
        }

        if (MetaStateMachine.RemovalRefusal(map, id) is { } refusal)
        {
            return Problems.Conflict(refusal);
        }

        return await ProposeAsync(context, host, forwarder, new RemoveNode(id, host.CommandClock.Now, MigrationApi.RequestedBy(context)), id, NodeRecord.Removed,
            $"{id} is out of the cluster map; the meta leader takes it out of the meta group.", cancellationToken);
    }

    private static async Task<IResult> ProposeAsync(HttpContext context, ReplicaHost host, LeaderForwarder forwarder, MetaCommand command, string id, string membership, string detail,
        CancellationToken cancellationToken)
    {
        if (!host.Meta.IsLeader)
        {
            return await MigrationApi.ToMetaLeaderAsync(context, host, forwarder, cancellationToken);
        }

        var outcome = await host.ProposeMetaAsync(command, cancellationToken);
        if (!outcome.IsDone)
        {
            return await MigrationApi.MetaNotDoneAsync(context, host, forwarder, outcome, "The change was not recorded.", cancellationToken);
        }

        return outcome.Value is string refused
            ? Problems.Conflict($"The meta group refused: {refused}")
            : TypedResults.Ok(new NodeMembershipInfo(id, membership, detail));
    }
}
