using System.Collections.Concurrent;
using System.Net.Http.Json;
using NodeNomad.Contracts;
using NodeNomad.Core.Cluster;
using NodeNomad.Node.Configuration;
using NodeNomad.Node.Shards;
using NodeNomad.Node.Telemetry;

namespace NodeNomad.Node.Peers;

/// <summary>
/// Asks every node for its status twice a second, so that this node knows which nodes are up and who leads the
/// shards it does not host (the routing of requests it must forward). What a node says of groups it hosts is
/// authoritative here only through the group's own replica; the rest is a hint, checked by the node it leads to.
/// </summary>
public sealed class ClusterObserver(PeerHttp peers, ReplicaHost host, ClusterTopology topology, NodeIdentity identity, NodeMetrics metrics, TimeProvider clock) : BackgroundService
{
    /// <summary>How often peers are asked.</summary>
    public static readonly TimeSpan Interval = TimeSpan.FromMilliseconds(500);

    private static readonly TimeSpan PeerTimeout = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan UpWithin = TimeSpan.FromSeconds(2);
    private static readonly TimeSpan SuspectWithin = TimeSpan.FromSeconds(5);
    private readonly ConcurrentDictionary<string, Observation> _observations = new(StringComparer.Ordinal);

    /// <summary>This node's own status, as peers see it.</summary>
    public PeerStatus LocalStatus() => PeerApi.LocalStatus(identity, host, metrics);

    /// <summary>The last status <paramref name="nodeId"/> gave, or null.</summary>
    public PeerStatus? StatusOf(string nodeId) =>
        nodeId == topology.Self.NodeId ? LocalStatus() : _observations.TryGetValue(nodeId, out var seen) ? seen.Status : null;

    /// <summary>up, suspect (silent for a moment) or down (silent, or never heard from).</summary>
    public string StateOf(string nodeId)
    {
        if (nodeId == topology.Self.NodeId)
        {
            return NodeStates.Up;
        }

        if (!_observations.TryGetValue(nodeId, out var seen) || seen.Status is null)
        {
            return NodeStates.Down;
        }

        var age = clock.GetUtcNow() - seen.LastSeen;
        return age <= UpWithin ? (seen.Status.Healthy ? NodeStates.Up : NodeStates.Suspect) : age <= SuspectWithin ? NodeStates.Suspect : NodeStates.Down;
    }

    /// <summary>
    /// Who leads shard <paramref name="shardId"/>: this node's replica's view when it hosts one, else the
    /// highest-term claim of leadership among fresh peer reports.
    /// </summary>
    public string? LeaderOf(int shardId)
    {
        if (host.Shard(shardId)?.Status.LeaderId is { } local)
        {
            return local;
        }

        var groupId = (long)ShardRecord.GroupOf(shardId);
        string? leader = null;
        long term = -1;
        var now = clock.GetUtcNow();
        foreach (var (nodeId, seen) in _observations)
        {
            if (seen.Status?.Groups is not { } groups || now - seen.LastSeen > UpWithin)
            {
                continue;
            }

            foreach (var group in groups)
            {
                if (group.GroupId == groupId && group.LeaderId is { } named && group.Term > term && (group.Role == ReplicaRoles.Leader || named != nodeId))
                {
                    (leader, term) = (named, group.Term);
                }
            }
        }

        return leader;
    }

    /// <summary>The group status the leader of shard <paramref name="shardId"/> last reported, or null.</summary>
    public GroupStatus? LeaderReport(int shardId)
    {
        var groupId = (long)ShardRecord.GroupOf(shardId);
        if (LeaderOf(shardId) is not { } leader || StatusOf(leader)?.Groups is not { } groups)
        {
            return null;
        }

        return groups.FirstOrDefault(g => g.GroupId == groupId);
    }

    /// <inheritdoc />
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(Interval, clock);
        do
        {
            await ObserveOnceAsync(stoppingToken);
        }
        while (await timer.WaitForNextTickAsync(stoppingToken));
    }

    private async Task ObserveOnceAsync(CancellationToken cancellationToken)
    {
        var targets = host.PeerUris();
        await Task.WhenAll(targets.Select(t => ObserveAsync(t.Key, t.Value, cancellationToken)));
    }

    private async Task ObserveAsync(string nodeId, Uri peerUri, CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(PeerTimeout);
        try
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(peerUri, "/peer/v1/status"));
            using var response = await peers.SendAsync(request, timeout.Token);
            if (response.IsSuccessStatusCode && await response.Content.ReadFromJsonAsync<PeerStatus>(timeout.Token) is { } status)
            {
                _observations[nodeId] = new Observation(status, clock.GetUtcNow());
            }
        }
        catch (Exception e) when (e is HttpRequestException or OperationCanceledException or System.Text.Json.JsonException)
        {
            _observations.TryAdd(nodeId, new Observation(null, DateTimeOffset.MinValue));
        }
    }

    private sealed record Observation(PeerStatus? Status, DateTimeOffset LastSeen);
}
