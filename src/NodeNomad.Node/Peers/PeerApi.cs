using NodeNomad.Contracts;
using NodeNomad.Core.Cluster;
using NodeNomad.Node.Runtime;
using NodeNomad.Node.Http;
using NodeNomad.Node.Configuration;
using NodeNomad.Node.Shards;
using NodeNomad.Raft;

using NodeNomad.Node.Telemetry;

namespace NodeNomad.Node.Peers;

/// <summary>The peer port's own endpoints (beside the Raft transport): status, and joining the cluster.</summary>
public static class PeerApi
{
    /// <summary>Where a node's migration driver posts migration steps for the meta leader.</summary>
    public const string MetaPath = "/peer/v1/meta";

    /// <summary>Maps <c>GET /peer/v1/status</c>, <c>POST /peer/v1/join</c> and <c>POST /peer/v1/meta</c>.</summary>
    public static IEndpointRouteBuilder MapPeerApi(this IEndpointRouteBuilder routes)
    {
        routes.MapGet("/peer/v1/status", (NodeIdentity identity, ReplicaHost host, NodeMetrics metrics) => LocalStatus(identity, host, metrics)).ExcludeFromDescription();
        routes.MapPost("/peer/v1/join", JoinAsync).ExcludeFromDescription();
        routes.MapPost(MetaPath, MigrationStepAsync).ExcludeFromDescription();
        return routes;
    }

    /// <summary>
    /// A migration step from the node that leads the migrating shard: proposed to the meta group if this node leads
    /// it. Only the steps a driver takes are accepted here (not cluster creation or placement).
    /// </summary>
    private static async Task<IResult> MigrationStepAsync(HttpContext context, ReplicaHost host, CancellationToken cancellationToken)
    {
        using var body = new MemoryStream();
        await context.Request.Body.CopyToAsync(body, cancellationToken);
        MetaCommand command;
        try
        {
            command = MetaStateMachine.Decode(body.ToArray());
        }
        catch (FormatException e)
        {
            return Problems.Invalid($"The body is not a meta command: {e.Message}");
        }

        if (command is not (AdvanceMigration or CompleteMigration or UndoMigration))
        {
            return Problems.Invalid($"Only migration steps are accepted here, not {command.GetType().Name}.");
        }

        if (!host.Meta.IsLeader)
        {
            return Problems.Unavailable(context, $"This node does not lead the meta group; {host.Meta.Status.LeaderId ?? "no leader is known"}.");
        }

        var outcome = await host.ProposeMetaAsync(command, cancellationToken);
        return outcome.IsDone
            ? TypedResults.Ok(new { applied = outcome.Value is null, refused = outcome.Value as string })
            : Problems.Unavailable(context, outcome.Reason ?? "The step was not committed.");
    }

    /// <summary>This node's status as peers see it.</summary>
    public static PeerStatus LocalStatus(NodeIdentity identity, ReplicaHost host, NodeMetrics metrics)
    {
        ArgumentNullException.ThrowIfNull(identity);
        ArgumentNullException.ThrowIfNull(host);
        ArgumentNullException.ThrowIfNull(metrics);
        var meta = host.Meta.Status;
        var groups = new List<GroupStatus> { Describe(host.Meta, null, host.SelfId, 0, 0, 0, 0) };
        foreach (var shard in host.Shards.Values)
        {
            var (keys, bytes) = shard.Read(m => ((long)m.Count, m.Bytes));
            groups.Add(Describe(shard, shard.ShardId, host.SelfId, keys, bytes, NodeFigures.Round(shard.Reads.PerSecond()), NodeFigures.Round(shard.Writes.PerSecond())));
        }

        return new PeerStatus(identity.NodeId, identity.ClientUrl, NodeIdentity.Version, identity.StartedAt, RoleOf(meta, host.SelfId), (long)meta.Term,
            meta.LeaderId, (long)meta.CommitIndex, (long)meta.AppliedIndex, host.Failure is null && host.Recovered, groups,
            NodeFigures.Of(identity.NodeId, metrics, host.LogStatistics));
    }

    /// <summary>A replica's role name, learner included.</summary>
    public static string RoleOf(ReplicaStatus status, string selfId)
    {
        ArgumentNullException.ThrowIfNull(status);
        return status.Learners.Contains(selfId) ? ReplicaRoles.Learner : status.RoleName;
    }

    private static GroupStatus Describe(GroupReplica group, int? shardId, string selfId, long keys, long bytes, double reads, double writes)
    {
        var status = group.Status;
        return new GroupStatus((long)group.GroupId, shardId, RoleOf(status, selfId), (long)status.Term, status.LeaderId,
            (long)status.CommitIndex, (long)status.AppliedIndex, keys, bytes, reads, writes);
    }

    /// <summary>
    /// A node asks to be recorded in the cluster map (a new node joining, or a member registering its client URL).
    /// The meta group's leader records it and, if it holds no replica of the meta group yet, adds it as a learner.
    /// </summary>
    private static async Task<IResult> JoinAsync(HttpContext context, ReplicaHost host, CancellationToken cancellationToken)
    {
        var (node, problem) = await JsonBody.ReadAsync<NodeRecord>(context.Request, cancellationToken);
        if (problem is not null)
        {
            return problem;
        }

        if (string.IsNullOrWhiteSpace(node!.Id) || !node.PeerAddress.Contains(':', StringComparison.Ordinal) || node.Weight < 1)
        {
            return Problems.Invalid("A joining node needs an id, a peer address host:port and a weight of at least 1.");
        }

        if (!host.Meta.IsLeader)
        {
            context.Response.Headers["X-NodeNomad-Meta-Leader"] = host.Meta.Status.LeaderId ?? string.Empty;
            return Problems.Unavailable(context, $"This node does not lead the meta group; {host.Meta.Status.LeaderId ?? "no leader is known"}.");
        }

        // The map keeps a node's membership (an operator's drain outlives its restarts); a removed node stays out.
        var known = host.Map.Node(node.Id);
        if (known is { Membership: NodeRecord.Removed })
        {
            return Problems.Conflict($"{node.Id} was removed from the cluster; it cannot join again under that name.");
        }

        if (known != node with { Membership = known?.Membership ?? NodeRecord.Active }
            && await host.ProposeMetaAsync(new RegisterNode(node with { Membership = NodeRecord.Active }), cancellationToken) is { IsDone: false } recorded)
        {
            return Problems.Unavailable(context, recorded.Reason ?? "The node could not be recorded.");
        }

        var meta = host.Meta.Status;
        if (!meta.Voters.Contains(node.Id) && !meta.Learners.Contains(node.Id)
            && await host.ProposeConfChangeAsync(host.Meta, new ConfChange(ConfChangeType.AddLearner, node.ReplicaId), cancellationToken) is { IsDone: false } added)
        {
            return Problems.Unavailable(context, added.Reason ?? "The node could not be added to the meta group.");
        }

        return TypedResults.Ok(new { joined = node.Id, clusterId = host.Map.ClusterId });
    }
}
