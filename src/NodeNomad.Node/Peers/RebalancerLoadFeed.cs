using Microsoft.Extensions.Options;
using NodeNomad.Contracts;
using NodeNomad.Contracts.Fleet;
using NodeNomad.Core.Cluster;
using NodeNomad.Node.Configuration;
using NodeNomad.Node.Fleet;
using NodeNomad.Node.Shards;
using NodeNomad.Node.Transport;

namespace NodeNomad.Node.Peers;

/// <summary>
/// The rebalancer's shell, once a second. On the meta leader it hands the core the load of every node and replica
/// from what the cluster observer last heard (reads and writes per second, bytes, keys, who leads), and pushes the
/// rebalancer's new decisions to the console. On every node it applies the cluster-wide snapshot bandwidth the
/// rebalancer's settings may set (else the node's own <c>SNAPSHOT_BANDWIDTH_MIB</c>).
/// </summary>
public sealed partial class RebalancerLoadFeed(
    ReplicaHost host, ClusterObserver observer, PeerTransport transport, IOptions<NodeOptions> options, FleetEvents events, TimeProvider clock, ILogger<RebalancerLoadFeed> logger)
    : BackgroundService
{
    /// <summary>How often the load is handed over.</summary>
    public static readonly TimeSpan Interval = TimeSpan.FromSeconds(1);

    private string? _lastPublished;

    /// <summary>The load of every node of <paramref name="map"/> as the observer last heard it.</summary>
    public static RebalancerLoad Gather(ClusterMap map, ClusterObserver observer)
    {
        ArgumentNullException.ThrowIfNull(map);
        ArgumentNullException.ThrowIfNull(observer);
        return new RebalancerLoad([.. map.Nodes.Select(node =>
        {
            var up = observer.StateOf(node.Id) == NodeStates.Up;
            var groups = up ? observer.StatusOf(node.Id)?.Groups ?? [] : [];
            return new RebalancerNodeLoad(node.Id, up, [.. groups
                .Where(g => g.ShardId is not null && g.Role != ReplicaRoles.Learner)
                .Select(g => new RebalancerReplicaLoad(g.ShardId!.Value, g.Role == ReplicaRoles.Leader, g.ReadsPerSecond, g.WritesPerSecond, g.Bytes, g.Keys))]);
        })]);
    }

    /// <inheritdoc />
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(Interval, clock);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken))
            {
                var map = host.Map;
                var mib = map.RebalancerSettings.SnapshotBandwidthMiB ?? options.Value.SnapshotBandwidthMiB;
                transport.Bandwidth.BytesPerSecond = mib * 1024L * 1024;
                if (host.Recovered && host.Meta.IsLeader && map.IsBootstrapped)
                {
                    host.ObserveLoad(Gather(map, observer));
                    Publish(host.RebalancerDecisions);
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    /// <summary>Pushes the decisions newer than the last one pushed (oldest first), as fleet events.</summary>
    private void Publish(IReadOnlyList<RebalancerDecision> decisions)
    {
        var fresh = decisions.TakeWhile(d => d.Id != _lastPublished).Reverse().ToList();
        foreach (var decision in fresh)
        {
            LogDecision(logger, decision.Id, decision.Action, decision.Reason, decision.Rejected.Count);
            events.Publish(new FleetEvent(FleetEventKinds.RebalancerDecision, host.SelfId, decision.Target ?? decision.Source ?? host.SelfId, decision.Reason,
                DateTimeOffset.FromUnixTimeMilliseconds(decision.At), decision.ShardId));
        }

        if (decisions.Count > 0)
        {
            _lastPublished = decisions[0].Id;
        }
    }

    [LoggerMessage(EventId = 130, Level = LogLevel.Information, Message = "Rebalancer decision {Id} ({Action}): {Reason} ({Rejected} moves considered and rejected)")]
    private static partial void LogDecision(ILogger logger, string id, string action, string reason, int rejected);
}
