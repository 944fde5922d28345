using System.Net.Http.Json;
using Microsoft.Extensions.Options;
using NodeNomad.Contracts;
using NodeNomad.Core.Cluster;
using NodeNomad.Node.Configuration;
using NodeNomad.Node.Shards;
using NodeNomad.Raft;

namespace NodeNomad.Node.Peers;

/// <summary>
/// Keeps this node's place in the cluster map: the meta leader of a new cluster proposes its creation (members and
/// the shards' first placement), and every node registers itself — its client URL, peer address and weight — with
/// the meta group's leader until the map it applied shows them. A node that the configuration does not list joins
/// that way: the leader records it and adds it to the meta group as a learner, so it applies the map itself.
/// </summary>
public sealed partial class ClusterSteward(
    ReplicaHost host,
    ClusterTopology topology,
    ClusterObserver observer,
    PeerHttp peers,
    IOptions<NodeOptions> options,
    TimeProvider clock,
    ILogger<ClusterSteward> logger) : BackgroundService
{
    private static readonly TimeSpan Busy = TimeSpan.FromMilliseconds(200);
    private static readonly TimeSpan Settled = TimeSpan.FromSeconds(2);

    /// <summary>This node as it should appear in the map.</summary>
    public NodeRecord Self => new(topology.Self.NodeId, $"{topology.Self.PeerHost}:{topology.Self.PeerPort}", options.Value.EffectiveUrl, options.Value.Weight, NodeRecord.Active);

    /// <inheritdoc />
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            bool settled;
            try
            {
                settled = await StepAsync(stoppingToken);
            }
            catch (Exception e) when (e is HttpRequestException or TimeoutException
                || (e is OperationCanceledException && !stoppingToken.IsCancellationRequested))
            {
                LogStepFailed(logger, e.Message);
                settled = false;
            }

            try
            {
                await Task.Delay(settled ? Settled : Busy, clock, stoppingToken);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    /// <summary>One round: create the cluster, or register this node. True when nothing is left to do.</summary>
    public async Task<bool> StepAsync(CancellationToken cancellationToken)
    {
        if (!host.Recovered || host.Failure is not null)
        {
            return false;
        }

        var map = host.Map;
        if (!map.IsBootstrapped)
        {
            if (topology.IsInitialMember && host.Meta.IsLeader)
            {
                var bootstrap = topology.Bootstrap(options.Value, Guid.NewGuid().ToString("N"));
                LogBootstrapping(logger, bootstrap.Nodes.Count, bootstrap.Shards.Count, bootstrap.ReplicationFactor);
                await host.ProposeMetaAsync(bootstrap, cancellationToken);
                return false;
            }

            if (topology.IsInitialMember)
            {
                return false;
            }
        }

        if (map.IsBootstrapped && host.Meta.IsLeader && (await ReadmitAsync(map, cancellationToken) || await PromoteLearnerAsync(map, cancellationToken)))
        {
            return false;
        }

        var self = Self;
        var meta = host.Meta.Status;
        var known = map.Node(self.Id);
        if (known is { Membership: NodeRecord.Removed })
        {
            // Taken out of the cluster: nothing to register; the node serves nothing until it is wiped and renamed.
            return true;
        }

        var recorded = known == self with { Membership = known?.Membership ?? NodeRecord.Active };
        var inMetaGroup = meta.Voters.Contains(self.Id) || meta.Learners.Contains(self.Id) || !topology.IsInitialMember && map.IsBootstrapped && recorded;
        if (recorded && inMetaGroup)
        {
            return true;
        }

        await RegisterAsync(self, cancellationToken);
        return false;
    }

    /// <summary>
    /// On the meta leader: grows the meta group's voters towards the largest odd number up to
    /// <see cref="ClusterTopology.MaxMetaVoters"/> that its voters and reachable learners allow, one learner at a
    /// time — so a cluster that started as one node and grew by joining does not keep its truth on one voter.
    /// Returns whether it proposed a promotion.
    /// </summary>
    private async Task<bool> PromoteLearnerAsync(ClusterMap map, CancellationToken cancellationToken)
    {
        var meta = host.Meta.Status;
        // Only a learner whose log holds everything committed: a voter that still has to catch up would count towards
        // quorums it cannot yet help form, and with two voters lagging, a majority could be out of reach.
        var learners = meta.Learners
            .Where(l => map.Node(l) is { Membership: NodeRecord.Active } && observer.StateOf(l) == NodeStates.Up && meta.CaughtUp.Contains(l))
            .Order(StringComparer.Ordinal)
            .ToList();
        var target = Math.Min(ClusterTopology.MaxMetaVoters, meta.Voters.Count + learners.Count);
        if (target % 2 == 0)
        {
            target--;
        }

        if (learners.Count == 0 || meta.Voters.Count >= target)
        {
            return false;
        }

        LogPromoting(logger, learners[0], meta.Voters.Count, target);
        var outcome = await host.ProposeConfChangeAsync(host.Meta, new ConfChange(ConfChangeType.AddVoter, ReplicaIds.For(learners[0])), cancellationToken);
        if (!outcome.IsDone)
        {
            LogStepFailed(logger, outcome.Reason);
        }

        return true;
    }

    /// <summary>
    /// On the meta leader: adds back, as a learner, a node of the map that is up but outside the meta group — a voter
    /// the placement driver replaced while it was down. Its own log still names it a voter, so it would not ask to
    /// join; without this it would never hear from the meta group again. Returns whether it proposed the change.
    /// </summary>
    private async Task<bool> ReadmitAsync(ClusterMap map, CancellationToken cancellationToken)
    {
        var meta = host.Meta.Status;
        var outside = map.Nodes.FirstOrDefault(n => n.Membership != NodeRecord.Removed && n.Id != topology.Self.NodeId
            && !meta.Voters.Contains(n.Id) && !meta.Learners.Contains(n.Id) && observer.StateOf(n.Id) == NodeStates.Up);
        if (outside is null)
        {
            return false;
        }

        LogReadmitting(logger, outside.Id);
        var outcome = await host.ProposeConfChangeAsync(host.Meta, new ConfChange(ConfChangeType.AddLearner, outside.ReplicaId), cancellationToken);
        if (!outcome.IsDone)
        {
            LogStepFailed(logger, outcome.Reason);
        }

        return true;
    }

    private async Task RegisterAsync(NodeRecord self, CancellationToken cancellationToken)
    {
        // The meta leader, if this node knows it; a joining node that knows nothing yet asks every configured member.
        var targets = new List<Uri>();
        if (host.Meta.Status.LeaderId is { } leader && leader != self.Id && host.PeerUriOf(leader) is { } leaderUri)
        {
            targets.Add(leaderUri);
        }

        targets.AddRange(topology.Peers.Select(p => p.PeerUri).Where(u => !targets.Contains(u)));
        if (host.Meta.IsLeader)
        {
            targets.Insert(0, topology.Self.PeerUri);
        }

        foreach (var target in targets)
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(target, "/peer/v1/join")) { Content = JsonContent.Create(self) };
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(TimeSpan.FromSeconds(3));
            try
            {
                using var response = await peers.SendAsync(request, timeout.Token);
                if (response.IsSuccessStatusCode)
                {
                    LogRegistered(logger, self.Id, target);
                    return;
                }
            }
            catch (Exception e) when (e is HttpRequestException or OperationCanceledException && !cancellationToken.IsCancellationRequested)
            {
                LogJoinFailed(logger, target, e.Message);
            }
        }
    }

    [LoggerMessage(EventId = 127, Level = LogLevel.Information, Message = "Adding {Node} back to the meta group as a learner: it is up and outside it")]
    private static partial void LogReadmitting(ILogger logger, string node);

    [LoggerMessage(EventId = 124, Level = LogLevel.Information, Message = "Promoting {Node} to a voter of the meta group ({Voters} voters, aiming at {Target})")]
    private static partial void LogPromoting(ILogger logger, string node, int voters, int target);

    [LoggerMessage(EventId = 120, Level = LogLevel.Information, Message = "Creating the cluster: {Nodes} nodes, {Shards} shards, replication factor {Factor}")]
    private static partial void LogBootstrapping(ILogger logger, int nodes, int shards, int factor);

    [LoggerMessage(EventId = 121, Level = LogLevel.Information, Message = "Registered {Node} with the meta group through {Target}")]
    private static partial void LogRegistered(ILogger logger, string node, Uri target);

    [LoggerMessage(EventId = 123, Level = LogLevel.Debug, Message = "Asking {Target} to record this node failed: {Reason}")]
    private static partial void LogJoinFailed(ILogger logger, Uri target, string reason);

    [LoggerMessage(EventId = 122, Level = LogLevel.Debug, Message = "Cluster membership step did not complete: {Reason}")]
    private static partial void LogStepFailed(ILogger logger, string? reason);
}
