using System.Globalization;
using System.Net.Http.Json;
using System.Text.Json;

namespace NodeNomad.Testing;

/// <summary>
/// A cluster of real node processes on 127.0.0.1, each with its own ports and data folder, sharing a secret
/// and a short heartbeat so that elections take a fraction of a second.
/// </summary>
public sealed class LocalCluster : IAsyncDisposable
{
    private readonly NodeProcess[] _nodes;

    private LocalCluster(NodeProcess[] nodes) => _nodes = nodes;

    /// <summary>The nodes, node-1 first.</summary>
    public IReadOnlyList<NodeProcess> Nodes => _nodes;

    /// <summary>Heartbeat interval the nodes run with, in milliseconds.</summary>
    public const int HeartbeatMs = 50;

    /// <summary>Election timeout the nodes run with, in milliseconds.</summary>
    public const int ElectionTimeoutMs = 500;

    /// <summary>Replaced, in the values a test passes, by the id of the node each is given to.</summary>
    public const string NodeIdPlaceholder = "{node-id}";

    /// <summary>Starts <paramref name="count"/> nodes and waits until every one knows a leader.</summary>
    public static async Task<LocalCluster> StartAsync(int count, IReadOnlyDictionary<string, string>? extra = null)
    {
        var ports = Enumerable.Range(0, count).Select(_ => (Client: NodeProcess.FreePort(), Peer: NodeProcess.FreePort())).ToList();
        var members = string.Join(',', ports.Select((p, i) => $"node-{i + 1}=127.0.0.1:{p.Peer}"));
        var starting = ports.Select((p, i) =>
        {
            // A value may name the node it is given to as {node-id} (a file of its own, say).
            var id = $"node-{i + 1}";
            var environment = (extra ?? new Dictionary<string, string>())
                .ToDictionary(e => e.Key, e => e.Value.Replace(NodeIdPlaceholder, id, StringComparison.Ordinal));
            // One shard unless the test asks for more: the replication tests reason about a single group and its leader;
            // and the timing below unless the test asks for its own.
            environment.TryAdd("SHARD_COUNT", "1");
            environment.TryAdd("HEARTBEAT_INTERVAL", HeartbeatMs.ToString(CultureInfo.InvariantCulture));
            environment.TryAdd("ELECTION_TIMEOUT", ElectionTimeoutMs.ToString(CultureInfo.InvariantCulture));
            foreach (var (key, value) in new Dictionary<string, string>
            {
                ["NODE_ID"] = id,
                ["CLUSTER_NODES"] = members,
                ["CLUSTER_SECRET"] = "local-cluster-test-secret",
            })
            {
                environment[key] = value;
            }

            return NodeProcess.StartAsync(environment: environment, waitReady: false, port: p.Client, peerPort: p.Peer);
        }).ToList();
        var nodes = await Task.WhenAll(starting);
        var cluster = new LocalCluster(nodes);
        try
        {
            foreach (var node in nodes)
            {
                await node.WaitReadyAsync();
            }
        }
        catch
        {
            await cluster.DisposeAsync();
            throw;
        }

        return cluster;
    }

    /// <summary>The leader of shard 0 as <paramref name="asked"/> sees it, or null.</summary>
    public static async Task<string?> LeaderSeenByAsync(NodeProcess asked)
    {
        using var http = new HttpClient(asked.Handler()) { BaseAddress = asked.BaseAddress, Timeout = TimeSpan.FromSeconds(2) };
        try
        {
            var shards = await http.GetFromJsonAsync<JsonElement>("/api/v1/cluster/shards");
            var first = shards.EnumerateArray().FirstOrDefault(s => s.GetProperty("id").GetInt32() == 0);
            return first.ValueKind == JsonValueKind.Object && first.TryGetProperty("leaderId", out var leader) && leader.ValueKind == JsonValueKind.String
                ? leader.GetString()
                : null;
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
        {
            return null;
        }
    }

    /// <summary>Waits until every running node names the same leader of shard 0 (other than <paramref name="not"/>) and returns it.</summary>
    public async Task<NodeProcess> WaitForLeaderAsync(TimeSpan timeout, string? not = null)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (DateTime.UtcNow < deadline)
        {
            var running = Nodes.Where(n => n.IsRunning).ToList();
            var seen = await Task.WhenAll(running.Select(LeaderSeenByAsync));
            if (seen.All(s => s is not null && s == seen[0]) && seen[0] != not)
            {
                return Nodes.Single(n => n.NodeId == seen[0]);
            }

            await Task.Delay(50);
        }

        throw new TimeoutException($"No agreed leader within {timeout}.");
    }

    /// <summary>
    /// Replaces <paramref name="node"/> by a new process with the same id, ports and settings, in a new empty
    /// working directory and data folder (a node moved to a new host). The old process is killed if it still runs,
    /// and its folder deleted.
    /// </summary>
    public async Task<NodeProcess> ReplaceAsync(NodeProcess node, bool waitReady = true)
    {
        ArgumentNullException.ThrowIfNull(node);
        var index = Array.IndexOf(_nodes, node);
        if (index < 0)
        {
            throw new ArgumentException($"{node.NodeId} is not a node of this cluster.", nameof(node));
        }

        await node.DisposeAsync();
        var replacement = await NodeProcess.StartAsync(environment: node.Environment, waitReady: false, port: node.Port, peerPort: node.PeerPort);
        _nodes[index] = replacement;
        if (waitReady)
        {
            await replacement.WaitReadyAsync();
        }

        return replacement;
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        foreach (var node in Nodes)
        {
            await node.DisposeAsync();
        }
    }
}
