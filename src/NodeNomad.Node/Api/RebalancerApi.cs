using NodeNomad.Contracts;
using NodeNomad.Core.Cluster;
using NodeNomad.Node.Http;
using NodeNomad.Node.Peers;
using NodeNomad.Node.Shards;
using NodeNomad.Node.Security;

namespace NodeNomad.Node.Api;

/// <summary>
/// The load-based rebalancer: <c>GET</c> and <c>PUT /api/v1/cluster/rebalancer</c> (its settings, held by the meta
/// group, and each node's load as it sees it) and <c>GET /api/v1/cluster/rebalancer/decisions</c> (its decision log,
/// newest first). The rebalancer runs on the meta leader, so these are answered there: another node forwards them.
/// </summary>
public static class RebalancerApi
{
    /// <summary>Maps the rebalancer's endpoints.</summary>
    public static IEndpointRouteBuilder MapRebalancerApi(this IEndpointRouteBuilder routes)
    {
        var rebalancer = routes.MapGroup("/api/v1/cluster/rebalancer").WithTags("Rebalancer");
        rebalancer.MapGet("", GetAsync).RequireScope(ApiScopes.Read);
        rebalancer.MapPut("", PutAsync).RequireScope(ApiScopes.Admin);
        rebalancer.MapGet("/decisions", DecisionsAsync).RequireScope(ApiScopes.Read);
        return routes;
    }

    private static async Task<IResult> GetAsync(HttpContext context, ReplicaHost host, LeaderForwarder forwarder, CancellationToken cancellationToken) =>
        await ToMetaLeaderAsync(context, host, forwarder, cancellationToken) ?? TypedResults.Ok(Info(host));

    private static async Task<IResult> DecisionsAsync(HttpContext context, ReplicaHost host, LeaderForwarder forwarder, CancellationToken cancellationToken)
    {
        // Read here rather than bound as an int parameter: a value that does not bind would be a bodiless 400.
        int? limit = null;
        if (context.Request.Query.TryGetValue("limit", out var raw))
        {
            if (!int.TryParse(raw, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var parsed) || parsed < 1)
            {
                return Problems.Invalid($"limit must be a whole number of at least 1; got '{raw}'.");
            }

            limit = parsed;
        }

        return await ToMetaLeaderAsync(context, host, forwarder, cancellationToken)
            ?? TypedResults.Ok<IReadOnlyList<RebalancerDecisionInfo>>([.. host.RebalancerDecisions.Take(limit ?? int.MaxValue).Select(Info)]);
    }

    private static async Task<IResult> PutAsync(HttpContext context, ReplicaHost host, LeaderForwarder forwarder, CancellationToken cancellationToken)
    {
        context.Request.EnableBuffering();
        var (request, problem) = await JsonBody.ReadAsync<RebalancerSettingsRequest>(context.Request, cancellationToken);
        if (problem is not null)
        {
            return problem;
        }

        // Checked here against this node's map; a forwarded request is checked again by the meta leader against its own
        // (the newest), and the meta group refuses settings it finds invalid.
        var settings = Merge(host.Map.RebalancerSettings, request!);
        if (Invalid(settings) is { } invalid)
        {
            return invalid;
        }

        if (await ToMetaLeaderAsync(context, host, forwarder, cancellationToken) is { } forwarded)
        {
            return forwarded;
        }

        if (!host.Meta.IsLeader)
        {
            return Problems.Unavailable(context, $"This node does not lead the meta group, which holds the rebalancer's settings; {host.Meta.Status.LeaderId ?? "no leader is known"}.");
        }

        var outcome = await host.ProposeMetaAsync(new SetRebalancerSettings(settings), cancellationToken);
        if (!outcome.IsDone)
        {
            return Problems.Unavailable(context, outcome.Reason ?? "The settings were not recorded.");
        }

        return outcome.Value is string reason ? Problems.Conflict($"The meta group refused the settings: {reason}") : TypedResults.Ok(Info(host));
    }

    /// <summary>The answer of the meta leader, when this node is not it and the request can go there; null to answer here.</summary>
    private static async Task<IResult?> ToMetaLeaderAsync(HttpContext context, ReplicaHost host, LeaderForwarder forwarder, CancellationToken cancellationToken)
    {
        if (host.Meta.IsLeader || LeaderForwarder.IsForwarded(context) || host.Meta.Status.LeaderId is not { } leader || host.PeerUriOf(leader) is not { } uri)
        {
            return null;
        }

        return await forwarder.ForwardAsync(context, leader, uri, cancellationToken);
    }

    private static RebalancerSettings Merge(RebalancerSettings current, RebalancerSettingsRequest request) =>
        new(
            request.Enabled ?? current.Enabled,
            request.IntervalSeconds ?? current.IntervalSeconds,
            request.Dimension ?? current.Dimension,
            request.Threshold ?? current.Threshold,
            request.Hysteresis ?? current.Hysteresis,
            request.CooldownSeconds ?? current.CooldownSeconds,
            request.MaxConcurrentMoves ?? current.MaxConcurrentMoves,
            request.ClearSnapshotBandwidth == true ? null : request.SnapshotBandwidthMiB ?? current.SnapshotBandwidthMiB)
        {
            Weights = request.Weights ?? current.Weights,
        };

    /// <summary>400 naming every field that is wrong (<c>errors</c>, by field), or null.</summary>
    private static Microsoft.AspNetCore.Http.HttpResults.ProblemHttpResult? Invalid(RebalancerSettings settings)
    {
        var problems = settings.Problems();
        if (problems.Count == 0)
        {
            return null;
        }

        var errors = problems.GroupBy(p => p.Field).ToDictionary(g => g.Key, g => g.Select(p => p.Problem).ToArray());
        return TypedResults.Problem(string.Join(" ", problems.Select(p => p.Problem)), statusCode: StatusCodes.Status400BadRequest, title: "Invalid rebalancer settings",
            extensions: new Dictionary<string, object?> { ["field"] = problems[0].Field, ["errors"] = errors });
    }

    private static RebalancerInfo Info(ReplicaHost host)
    {
        var map = host.Map;
        var settings = map.RebalancerSettings;
        var load = host.Meta.IsLeader ? host.RebalancerLoad : RebalancerLoad.None;
        var eligible = map.Nodes.Where(n => Rebalancer.IsEligibleTarget(n, load)).ToList();
        var total = eligible.Sum(n => load.Node(n.Id)!.In(settings.Dimension));
        var perUnit = total / Math.Max(1, eligible.Sum(settings.WeightOf));
        var nodes = load.Nodes.Count == 0 ? [] : map.Nodes.Select(node =>
        {
            var figures = load.Node(node.Id) ?? new RebalancerNodeLoad(node.Id, false, []);
            var weight = settings.WeightOf(node);
            var value = figures.In(settings.Dimension);
            return new RebalancerNodeInfo(node.Id, Rebalancer.IsEligibleTarget(node, load), weight, Math.Round(value, 2),
                perUnit > 0 ? Math.Round(value / weight / perUnit, 2) : 0,
                Math.Round(figures.In(RebalancerDimensions.Reads), 2), Math.Round(figures.In(RebalancerDimensions.Writes), 2),
                (long)figures.In(RebalancerDimensions.Bytes), (long)figures.In(RebalancerDimensions.Keys), (int)figures.In(RebalancerDimensions.Leaderships));
        }).ToList();
        return new RebalancerInfo(
            new RebalancerSettingsInfo(settings.Enabled, settings.IntervalSeconds, settings.Dimension, settings.Threshold, settings.Hysteresis,
                settings.CooldownSeconds, settings.MaxConcurrentMoves, settings.SnapshotBandwidthMiB, settings.Weights),
            map.Rebalancing is null, host.SelfId, nodes);
    }

    private static RebalancerDecisionInfo Info(RebalancerDecision decision) => new(
        decision.Id,
        DateTimeOffset.FromUnixTimeMilliseconds(decision.At),
        decision.Action,
        decision.Dimension,
        decision.ShardId,
        decision.ShardId is { } shard ? ShardNames.Of(shard) : null,
        decision.Source,
        decision.Target,
        decision.Reason,
        [.. decision.Figures.Select(f => new RebalancerFigureInfo(f.NodeId, f.Load, f.Weight, f.Ratio))],
        decision.Rejected,
        decision.Repeats,
        decision.Action == RebalancerDecision.Replica ? Rebalancer.MigrationIdOf(decision) : null);
}
