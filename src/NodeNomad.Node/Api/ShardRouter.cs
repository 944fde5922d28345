using System.Globalization;
using NodeNomad.Contracts;
using NodeNomad.Core.Cluster;
using NodeNomad.Node.Http;
using NodeNomad.Node.Peers;
using NodeNomad.Node.Runtime;
using NodeNomad.Node.Shards;
using NodeNomad.Node.Telemetry;

namespace NodeNomad.Node.Api;

/// <summary>
/// Decides where a key request is served. Any node accepts any key: it serves from its own replica of the key's
/// shard when it may (the leader for writes; any replica for reads, which ReadIndex makes linearizable), and
/// otherwise forwards the request to the shard's leader over the peer port — or, when the caller asks for
/// redirects, answers 421 naming the leader. A request routed by an older epoch than the shard's is always
/// redirected, so a client with a stale map learns the new one instead of being served by the wrong replicas.
/// </summary>
public sealed class ShardRouter(ReplicaHost host, ClusterObserver observer, LeaderForwarder forwarder, NodeMetrics metrics)
{
    /// <summary>
    /// Test-only: <c>NODENOMAD_TEST_HOLD_ROUTED_MS</c> holds every request routed to a replica here that long before it
    /// is served, so a test can make a move drop the replica between routing and the core. Zero (off) unless set.
    /// </summary>
    internal static readonly TimeSpan HoldRouted =
        int.TryParse(Environment.GetEnvironmentVariable("NODENOMAD_TEST_HOLD_ROUTED_MS"), NumberStyles.None, CultureInfo.InvariantCulture, out var ms)
            ? TimeSpan.FromMilliseconds(ms)
            : TimeSpan.Zero;

    /// <summary>Either the replica to serve with here, or the answer already given (forwarded, redirected, refused).</summary>
    public readonly record struct Route(ShardReplica? Replica, IResult? Answer);

    /// <summary>Routes a request for <paramref name="key"/>.</summary>
    public Task<Route> RouteAsync(HttpContext context, string key, bool leaderOnly, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        var map = host.Map;
        if (map.ShardForKey(key) is not { } shard)
        {
            return Task.FromResult(new Route(null, Problems.Unavailable(context, "The cluster is being created: this node has no shard map yet.")));
        }

        return RouteShardAsync(context, shard, leaderOnly, cancellationToken);
    }

    /// <summary>How often a request whose leader could not be reached looks for the shard's next leader.</summary>
    private static readonly TimeSpan LeaderPoll = TimeSpan.FromMilliseconds(50);

    /// <summary>Routes a request for shard <paramref name="shard"/>.</summary>
    public Task<Route> RouteShardAsync(HttpContext context, ShardRecord shard, bool leaderOnly, CancellationToken cancellationToken) =>
        RouteShardAsync(context, shard, leaderOnly, unreachedSince: null, cancellationToken);

    private async Task<Route> RouteShardAsync(HttpContext context, ShardRecord shard, bool leaderOnly, DateTimeOffset? unreachedSince, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(shard);
        context.Response.Headers[RoutingHeaders.Shard] = shard.Id.ToString(CultureInfo.InvariantCulture);
        context.Response.Headers[RoutingHeaders.ShardEpoch] = shard.Epoch.ToString(CultureInfo.InvariantCulture);
        var leader = observer.LeaderOf(shard.Id);
        if (context.Request.Headers[RoutingHeaders.Epoch].ToString() is { Length: > 0 } sent
            && !long.TryParse(sent, NumberStyles.None, CultureInfo.InvariantCulture, out _))
        {
            return new Route(null, Problems.Invalid($"{RoutingHeaders.Epoch} must be the shard epoch the request was routed by, a whole number; got '{sent}'."));
        }

        if (context.Request.Headers[RoutingHeaders.Epoch].ToString() is { Length: > 0 } routed
            && long.Parse(routed, NumberStyles.None, CultureInfo.InvariantCulture) is var epoch && epoch < shard.Epoch)
        {
            return new Route(null, Misdirected(context, shard, leader, $"The request was routed by epoch {epoch} of shard {shard.Id}, which is now at epoch {shard.Epoch}: refresh the shard map."));
        }

        var forwarded = LeaderForwarder.IsForwarded(context);
        var replica = shard.IsHeldBy(host.SelfId) ? host.Shard(shard.Id) : null;
        if (replica is not null && (!leaderOnly || replica.IsLeader || forwarded || leader is null))
        {
            if (HoldRouted > TimeSpan.Zero)
            {
                await Task.Delay(HoldRouted, cancellationToken);
            }

            return new Route(replica, null);
        }

        if (forwarded && (!LeaderForwarder.MayForward(context) || leader is null || leader == host.SelfId))
        {
            // A forwarded request goes on only to a leader this node knows, and only so far, so stale views cannot make it circle.
            return new Route(null, Problems.NotTaken(context, $"This node holds no replica of shard {shard.Id}; the node that forwarded the request has a stale view of its leader."));
        }

        if (WantsRedirect(context))
        {
            return new Route(null, Misdirected(context, shard, leader, leader is null
                ? $"No leader of shard {shard.Id} is known to this node."
                : $"{leader} leads shard {shard.Id}."));
        }

        var target = leader is not null && leader != host.SelfId
            ? leader
            : shard.Replicas.FirstOrDefault(r => r != host.SelfId && observer.StateOf(r) == NodeStates.Up) ?? shard.Replicas.FirstOrDefault(r => r != host.SelfId);
        if (target is null || PeerUriOf(target) is not { } peerUri)
        {
            return new Route(null, Problems.Unavailable(context, $"No replica of shard {shard.Id} can be reached from this node."));
        }

        var forward = await forwarder.TryForwardAsync(context, target, peerUri, cancellationToken);
        if (!forward.NotSent)
        {
            return new Route(null, forward.Answer);
        }

        // The leader this node knows could not be connected to (it died, or is restarting), so the request never
        // left: it waits, as a proposal waits through an election, for the shard to name another leader, and goes
        // there — or is served here, should this node's replica win. Past the patience it is refused, as it was.
        var since = unreachedSince ?? host.Clock.GetUtcNow();
        var giveUp = since + host.UnreachableLeaderPatience;
        while (observer.LeaderOf(shard.Id) is var named && (named is null || named == target))
        {
            if (host.Clock.GetUtcNow() >= giveUp)
            {
                return new Route(null, forward.Answer);
            }

            await Task.Delay(LeaderPoll, host.Clock, cancellationToken);
        }

        return await RouteShardAsync(context, host.Map.Shard(shard.Id) ?? shard, leaderOnly, since, cancellationToken);
    }

    /// <summary>
    /// The one place a proposal's or read's outcome that is not done becomes an answer: a replica here that turned
    /// out not to lead forwards to the leader it named (or redirects a caller that asked for redirects); anything
    /// else is a 503 with the reason and a Retry-After.
    /// </summary>
    public async Task<IResult> NotDoneAsync(HttpContext context, ShardReplica replica, Outcome outcome, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(replica);
        if (outcome.Kind == OutcomeKind.NotLeader)
        {
            var shard = host.Map.Shard(replica.ShardId);
            var forwarded = LeaderForwarder.IsForwarded(context);
            if (shard is not null && WantsRedirect(context) && !forwarded)
            {
                return Misdirected(context, shard, outcome.Leader, $"{outcome.Leader ?? "No node"} leads shard {shard.Id}.");
            }

            // A forwarded request that reached a replica no longer leading goes on to the leader its group names.
            if (outcome.Leader is { } leader && leader != host.SelfId && LeaderForwarder.MayForward(context) && PeerUriOf(leader) is { } peerUri)
            {
                return await forwarder.ForwardAsync(context, leader, peerUri, cancellationToken);
            }

            // Not led here and not sent on: no replica took the request, so the node the client called may send it again.
            if (forwarded)
            {
                return Problems.NotTaken(context, $"Shard {replica.ShardId}: {outcome.Reason}");
            }
        }

        return Problems.Unavailable(context, $"Shard {replica.ShardId}: {outcome.Reason}", retryAfterSeconds: 1);
    }

    /// <summary>
    /// Serves a client's key request by <paramref name="attempt"/> (route, then serve or forward), and makes it again
    /// when the answer is a refusal of a request no replica took (<see cref="RoutingHeaders.NotTaken"/>): leadership
    /// moved while the request travelled, and the nodes it passed through each knew an older leader. The attempt is
    /// made again after a short pause, through this node's newer view, until the request timeout; a forwarded request
    /// is answered as it came, by the node the client called. Each attempt made again counts as the operation's
    /// <c>not-taken-sent-again</c> outcome.
    /// </summary>
    public async Task<IResult> ServeAsync(HttpContext context, string operation, Func<Task<IResult>> attempt, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(attempt);
        var giveUp = host.Clock.GetUtcNow() + host.RequestTimeout;
        while (true)
        {
            var answer = await attempt();
            if (LeaderForwarder.IsForwarded(context) || !context.Response.Headers.ContainsKey(RoutingHeaders.NotTaken)
                || host.Clock.GetUtcNow() + LeaderPoll >= giveUp)
            {
                return answer;
            }

            // What the refusal set goes with it: the next attempt's answer brings its own.
            var headers = context.Response.Headers;
            headers.Remove(RoutingHeaders.NotTaken);
            headers.Remove(Microsoft.Net.Http.Headers.HeaderNames.RetryAfter);
            headers.Remove(RoutingHeaders.ServedBy);
            metrics.Rejected(operation, "not-taken-sent-again");
            await Task.Delay(LeaderPoll, host.Clock, cancellationToken);
        }
    }

    /// <summary>The node's runtime, which serves what is routed here.</summary>
    public ReplicaHost Host => host;

    /// <summary>This node's id.</summary>
    public string SelfId => host.SelfId;

    /// <summary>Who leads shard <paramref name="shardId"/>, as far as this node knows.</summary>
    public string? LeaderOf(int shardId) => observer.LeaderOf(shardId);

    /// <summary>The peer port of <paramref name="nodeId"/>, from the map or the configuration.</summary>
    public Uri? PeerUriOf(string nodeId) => host.PeerUriOf(nodeId);

    /// <summary>The client URL of <paramref name="nodeId"/>, or null while it has not registered one.</summary>
    public string? ClientUrlOf(string? nodeId) =>
        nodeId is not null && host.Map.Node(nodeId) is { ClientUrl.Length: > 0 } node ? node.ClientUrl : null;

    private static bool WantsRedirect(HttpContext context) =>
        string.Equals(context.Request.Headers[RoutingHeaders.Redirect].ToString(), "true", StringComparison.OrdinalIgnoreCase);

    private IResult Misdirected(HttpContext context, ShardRecord shard, string? leader, string detail) =>
        Problems.Misdirected(context, shard.Id, shard.Epoch, leader, ClientUrlOf(leader), detail);
}
