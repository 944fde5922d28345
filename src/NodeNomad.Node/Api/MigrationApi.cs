using System.Collections.Concurrent;
using NodeNomad.Contracts;
using NodeNomad.Core.Cluster;
using NodeNomad.Node.Http;
using NodeNomad.Node.Peers;
using NodeNomad.Node.Runtime;
using NodeNomad.Node.Shards;
using NodeNomad.Node.Security;

namespace NodeNomad.Node.Api;

/// <summary>
/// Moving shard replicas and leaderships: <c>POST /api/v1/cluster/migrate</c>, <c>GET /api/v1/cluster/migrations</c>
/// (and <c>/{id}</c>), <c>POST /api/v1/cluster/migrations/{id}/cancel</c>, <c>POST /api/v1/cluster/leadership</c>.
/// A migration is accepted by the meta group's leader (another node forwards the request to it); the node leading
/// the shard then runs it step by step (<see cref="MigrationDriver"/>), and every step shows here as it lands.
/// </summary>
public static class MigrationApi
{
    /// <summary>The header naming who asks for a migration (recorded with it); the caller's address otherwise.</summary>
    public const string OperatorHeader = "X-NodeNomad-Operator";

    private static readonly TimeSpan LeadershipPatience = TimeSpan.FromSeconds(10);

    // The last (time, target match, commit) seen per migration, for the pace and the ETA.
    private static readonly ConcurrentDictionary<string, (long At, ulong Match, ulong Commit, double? Rate)> Samples = new();

    /// <summary>Maps the migration and leadership endpoints.</summary>
    public static IEndpointRouteBuilder MapMigrationApi(this IEndpointRouteBuilder routes)
    {
        var cluster = routes.MapGroup("/api/v1/cluster").WithTags("Migrations");
        cluster.MapPost("/migrate", MigrateAsync).RequireScope(ApiScopes.Admin);
        cluster.MapGet("/migrations", List).RequireScope(ApiScopes.Read);
        cluster.MapGet("/migrations/{id}", Get).RequireScope(ApiScopes.Read);
        cluster.MapPost("/migrations/{id}/cancel", CancelAsync).RequireScope(ApiScopes.Admin);
        cluster.MapPost("/leadership", LeadershipAsync).RequireScope(ApiScopes.Admin);
        cluster.MapGet("/shards/{shard}/replica", Replica).RequireScope(ApiScopes.Read);
        return routes;
    }

    /// <summary>This node's replica of a shard: applied index and a digest of its contents.</summary>
    private static IResult Replica(string shard, ReplicaHost host)
    {
        if (!ShardNames.TryParse(shard, out var shardId))
        {
            return Problems.Invalid($"A shard is named \"shard-N\" or N, not \"{shard}\".");
        }

        if (host.Shard(shardId) is not { } replica)
        {
            return TypedResults.Problem($"{host.SelfId} holds no replica of {ShardNames.Of(shardId)}.", statusCode: StatusCodes.Status404NotFound, title: "No replica here");
        }

        var (applied, digest, keys, bytes) = replica.Read(m => (m.AppliedIndex, m.Digest(), (long)m.Count, m.Bytes));
        return TypedResults.Ok(new ReplicaDigest(host.SelfId, shardId, PeerApi.RoleOf(replica.Status, host.SelfId), applied,
            digest.ToString("x16", System.Globalization.CultureInfo.InvariantCulture), keys, bytes));
    }

    private static async Task<IResult> MigrateAsync(HttpContext context, ReplicaHost host, ClusterObserver observer, LeaderForwarder forwarder, CancellationToken cancellationToken)
    {
        // The body is read here and, if another node leads the meta group, sent on to it.
        context.Request.EnableBuffering();
        var (request, problem) = await JsonBody.ReadAsync<MigrateRequest>(context.Request, cancellationToken);
        if (problem is not null)
        {
            return problem;
        }

        var map = host.Map;
        if (!ShardNames.TryParse(request!.ShardId, out var shardId))
        {
            return Problems.Invalid($"shardId must name a shard as \"shard-N\" or as the number N (got {Describe(request.ShardId)}).");
        }

        if (map.Shard(shardId) is not { } shard)
        {
            return Problems.Invalid($"There is no {ShardNames.Of(shardId)}: the cluster has {map.Shards.Count} shards, shard-0 to shard-{map.Shards.Count - 1}.");
        }

        if (string.IsNullOrWhiteSpace(request.TargetNodeId))
        {
            return Problems.Invalid("targetNodeId is required: the node that is to receive the replica.");
        }

        var target = request.TargetNodeId;
        if (map.Node(target) is null)
        {
            return Problems.Invalid($"{target} is not a node of the cluster (its nodes: {string.Join(", ", map.Nodes.Select(n => n.Id))}).");
        }

        if (request.SourceNodeId is { } named && !shard.Replicas.Contains(named))
        {
            return Problems.Invalid($"{named} holds no voting replica of {ShardNames.Of(shardId)} (its replicas: {string.Join(", ", shard.Replicas)}).");
        }

        if (map.MovingShard(shardId) is { } moving)
        {
            return Problems.Conflict($"{ShardNames.Of(shardId)} is already moving: {moving.Id} ({moving.Source} to {moving.Target}, {moving.State}).");
        }

        if (shard.IsHeldBy(target))
        {
            return Problems.Conflict($"{target} already holds a replica of {ShardNames.Of(shardId)}.");
        }

        if (observer.StateOf(target) != NodeStates.Up)
        {
            return Problems.Conflict($"{target} is {observer.StateOf(target)}: a replica can only move to a node that is up.");
        }

        var source = request.SourceNodeId ?? PickSource(shard, observer);
        var after = shard.Replicas.Where(r => r != source).Append(target).ToList();
        var alive = after.Count(r => observer.StateOf(r) == NodeStates.Up);
        if (alive < after.Count / 2 + 1)
        {
            return Problems.Conflict($"Moving {source}'s replica would leave {alive} of {after.Count} replicas of {ShardNames.Of(shardId)} up, fewer than a majority "
                + $"({string.Join(", ", after.Select(r => $"{r}: {observer.StateOf(r)}"))}).");
        }

        if (!host.Meta.IsLeader)
        {
            return await ToMetaLeaderAsync(context, host, forwarder, cancellationToken);
        }

        var id = "m-" + Guid.NewGuid().ToString("N")[..10];
        var start = new StartMigration(id, shardId, source, target, "manual", RequestedBy(context), host.CommandClock.Now);
        var outcome = await host.ProposeMetaAsync(start, cancellationToken);
        if (!outcome.IsDone)
        {
            return await MetaNotDoneAsync(context, host, forwarder, outcome, "The migration was not recorded.", cancellationToken);
        }

        if (outcome.Value is string refused)
        {
            return Problems.Conflict($"The meta group refused the migration: {refused}");
        }

        var migration = host.Map.Migration(id)!;
        return TypedResults.Accepted($"/api/v1/cluster/migrations/{id}", Info(migration, host));
    }

    private static MigrationInfo[] List(ReplicaHost host) =>
        [.. host.Map.Migrations.Reverse().Select(m => Info(m, host))];

    private static IResult Get(string id, ReplicaHost host) =>
        host.Map.Migration(id) is { } migration
            ? TypedResults.Ok(Info(migration, host))
            : Problems.MigrationNotFound(id);

    private static async Task<IResult> CancelAsync(string id, HttpContext context, ReplicaHost host, LeaderForwarder forwarder, CancellationToken cancellationToken)
    {
        if (host.Map.Migration(id) is not { } migration)
        {
            return Problems.MigrationNotFound(id);
        }

        if (!MigrationStates.IsCancellable(migration.State))
        {
            return Problems.Conflict(migration.IsFinal
                ? $"{id} has ended ({migration.State})."
                : $"{id} is {migration.State}: past the swap, it completes.");
        }

        if (!host.Meta.IsLeader)
        {
            return await ToMetaLeaderAsync(context, host, forwarder, cancellationToken);
        }

        var outcome = await host.ProposeMetaAsync(new CancelMigration(id, host.CommandClock.Now, RequestedBy(context)), cancellationToken);
        if (!outcome.IsDone)
        {
            return await MetaNotDoneAsync(context, host, forwarder, outcome, "The cancellation was not recorded.", cancellationToken);
        }

        return outcome.Value is string refused
            ? Problems.Conflict($"The meta group refused to cancel: {refused}")
            : TypedResults.Accepted($"/api/v1/cluster/migrations/{id}", Info(host.Map.Migration(id)!, host));
    }

    private static async Task<IResult> LeadershipAsync(HttpContext context, ReplicaHost host, ClusterObserver observer, LeaderForwarder forwarder, CancellationToken cancellationToken)
    {
        context.Request.EnableBuffering();
        var (request, problem) = await JsonBody.ReadAsync<LeadershipRequest>(context.Request, cancellationToken);
        if (problem is not null)
        {
            return problem;
        }

        var map = host.Map;
        if (!ShardNames.TryParse(request!.ShardId, out var shardId) || map.Shard(shardId) is not { } shard)
        {
            return Problems.Invalid($"shardId must name one of the cluster's {map.Shards.Count} shards, as \"shard-N\" or N (got {Describe(request.ShardId)}).");
        }

        if (string.IsNullOrWhiteSpace(request.NodeId) || !shard.Replicas.Contains(request.NodeId))
        {
            return Problems.Invalid($"nodeId must name a node holding a voting replica of {ShardNames.Of(shardId)} ({string.Join(", ", shard.Replicas)}).");
        }

        var wanted = request.NodeId;
        if (observer.StateOf(wanted) != NodeStates.Up)
        {
            return Problems.Conflict($"{wanted} is {observer.StateOf(wanted)}: leadership can only move to a node that is up.");
        }

        if (host.Shard(shardId) is not { IsLeader: true } local)
        {
            // Sent on to the leader as this node knows it, even when that is the node wanted: only a replica that
            // leads answers 200, so a view here that is out of date never reports a hand-over that did not happen.
            if (observer.LeaderOf(shardId) is { } leader && leader != host.SelfId && !LeaderForwarder.IsForwarded(context) && host.PeerUriOf(leader) is { } uri)
            {
                return await forwarder.ForwardAsync(context, leader, uri, cancellationToken);
            }

            return Problems.Unavailable(context, $"{ShardNames.Of(shardId)} has no known leader to hand leadership over; try again shortly.");
        }

        using var patience = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        patience.CancelAfter(LeadershipPatience);
        try
        {
            while (local.Status.LeaderId != wanted)
            {
                var changed = local.StatusChanged;
                if (local.IsLeader)
                {
                    host.TransferLeadership(local, map.Shards[shardId].ReplicaIdOf(wanted));
                }

                await changed.WaitAsync(TimeSpan.FromSeconds(1), patience.Token).ContinueWith(_ => { }, TaskScheduler.Default);
                patience.Token.ThrowIfCancellationRequested();
            }
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return Problems.Unavailable(context, $"Leadership of {ShardNames.Of(shardId)} did not reach {wanted} within {LeadershipPatience.TotalSeconds:F0} s (now: {local.Status.LeaderId ?? "none"}).");
        }

        return TypedResults.Ok(new LeadershipInfo(shardId, ShardNames.Of(shardId), wanted, (long)local.Status.Term));
    }

    /// <summary>The replica to move when the caller named none: a voter that is down (a repair), else one that does not lead.</summary>
    private static string PickSource(ShardRecord shard, ClusterObserver observer)
    {
        var leader = observer.LeaderOf(shard.Id);
        return shard.Replicas.FirstOrDefault(r => observer.StateOf(r) != NodeStates.Up)
            ?? shard.Replicas.LastOrDefault(r => r != leader)
            ?? shard.Replicas[^1];
    }

    /// <summary>Sends the request on to the meta group's leader, or answers 503 when none is known (or it was forwarded already).</summary>
    internal static async Task<IResult> ToMetaLeaderAsync(HttpContext context, ReplicaHost host, LeaderForwarder forwarder, CancellationToken cancellationToken)
    {
        // A request forwarded here by a node whose view of the meta leader was stale (the leadership just moved) goes on
        // once more to the leader this node knows, within the forwarder's hop limit, rather than failing.
        if ((LeaderForwarder.IsForwarded(context) && !LeaderForwarder.MayForward(context))
            || host.Meta.Status.LeaderId is not { } leader || leader == host.SelfId || host.PeerUriOf(leader) is not { } uri)
        {
            return Problems.Unavailable(context, $"This node does not lead the meta group, which records migrations; {host.Meta.Status.LeaderId ?? "no leader is known"}.");
        }

        return await forwarder.ForwardAsync(context, leader, uri, cancellationToken);
    }

    /// <summary>
    /// A meta proposal that was not recorded becomes an answer: one this node could not make because the meta
    /// leadership moved away from it meanwhile goes to the new leader; anything else is a 503 with the reason.
    /// </summary>
    internal static async Task<IResult> MetaNotDoneAsync(HttpContext context, ReplicaHost host, LeaderForwarder forwarder, Outcome outcome, string fallback, CancellationToken cancellationToken) =>
        outcome.Kind == OutcomeKind.NotLeader && outcome.Leader is { } leader && leader != host.SelfId
            ? await ToMetaLeaderAsync(context, host, forwarder, cancellationToken)
            : Problems.Unavailable(context, outcome.Reason ?? fallback);

    /// <summary>Who asks: the operator header, else the caller's address.</summary>
    internal static string RequestedBy(HttpContext context) =>
        context.Request.Headers[OperatorHeader].ToString() is { Length: > 0 } named
            ? named
            : context.Connection.RemoteIpAddress?.ToString() ?? "api";

    private static MigrationInfo Info(MigrationRecord migration, ReplicaHost host) => new(
        migration.Id,
        migration.ShardId,
        ShardNames.Of(migration.ShardId),
        migration.Source,
        migration.Target,
        migration.State,
        migration.Reason,
        migration.RequestedBy,
        migration.CancelRequested,
        migration.Error,
        DateTimeOffset.FromUnixTimeMilliseconds(migration.CreatedAt),
        DateTimeOffset.FromUnixTimeMilliseconds(migration.UpdatedAt),
        [.. migration.Steps.Select(s => new MigrationStepInfo(s.State, DateTimeOffset.FromUnixTimeMilliseconds(s.At), s.Detail))],
        migration.IsFinal ? null : Progress(migration, host));

    /// <summary>The learner's progress, when this node leads the shard and so sees it.</summary>
    private static MigrationProgress? Progress(MigrationRecord migration, ReplicaHost host)
    {
        if (host.Shard(migration.ShardId) is not { IsLeader: true } shard
            || shard.Status.Followers.FirstOrDefault(f => f.NodeId == migration.Target) is not { } follower)
        {
            return null;
        }

        var status = shard.Status;
        var now = host.CommandClock.Now;
        var lag = status.CommitIndex > follower.Match ? status.CommitIndex - follower.Match : 0;
        double? rate = null;
        double? eta = null;
        if (Samples.TryGetValue(migration.Id, out var last) && now - last.At >= 200)
        {
            var seconds = (now - last.At) / 1000.0;
            var pace = (follower.Match - Math.Min(follower.Match, last.Match)) / seconds;
            var growth = (status.CommitIndex - Math.Min(status.CommitIndex, last.Commit)) / seconds;
            rate = last.Rate is { } previous ? (previous * 0.7) + (pace * 0.3) : pace;
            eta = lag == 0 ? 0 : rate > growth ? lag / (rate.Value - growth) : null;
            Samples[migration.Id] = (now, follower.Match, status.CommitIndex, rate);
        }
        else if (!Samples.ContainsKey(migration.Id))
        {
            Samples[migration.Id] = (now, follower.Match, status.CommitIndex, null);
        }

        foreach (var ended in Samples.Keys.Where(k => host.Map.Migration(k) is null or { IsFinal: true }))
        {
            Samples.TryRemove(ended, out _);
        }

        var progress = new MigrationProgress(host.SelfId, (long)lag, (long)follower.Match, (long)status.CommitIndex, follower.State,
            rate is { } r ? Math.Round(r, 1) : null, eta is { } e ? Math.Round(e, 1) : null);
        // The target's replica id in the group may be one of its own (a node that joins a group gets an id per joining):
        // the send is found by the node it went to.
        var transfer = host.Transfers.All
            .Where(t => t.GroupId == shard.GroupId && host.NodeName(t.PeerId) == migration.Target)
            .MaxBy(t => t.StartedAt);
        if (transfer is null
            || transfer.StartedAt < DateTimeOffset.FromUnixTimeMilliseconds(migration.CreatedAt))
        {
            return progress;
        }

        return progress with
        {
            SnapshotBytesSent = transfer.SentBytes,
            SnapshotBytesTotal = transfer.TotalBytes,
            SnapshotBytesPerSecond = transfer.BytesPerSecond(DateTimeOffset.UtcNow) is { } speed ? Math.Round(speed) : null,
            SnapshotResumedFrom = transfer.ResumedFrom,
            SnapshotState = transfer.Succeeded switch { null => "sending", true => "sent", false => "failed" },
        };
    }

    private static string Describe(System.Text.Json.JsonElement value)
    {
        if (value.ValueKind == System.Text.Json.JsonValueKind.Undefined)
        {
            return "nothing";
        }

        try
        {
            return value.GetRawText();
        }
        catch (InvalidOperationException)
        {
            // The element's bytes were never checked: a string of them that is not UTF-8 cannot be shown.
            return "a string that is not valid UTF-8";
        }
    }
}
