using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using NodeNomad.Contracts;

namespace NodeNomad.Launcher.Tests;

/// <summary>The cluster as one node's REST API shows it: nodes, shards, migrations, and one node's own replicas.</summary>
internal sealed class ClusterView(int port) : IDisposable
{
    private static readonly TimeSpan Poll = TimeSpan.FromMilliseconds(500);
    private readonly HttpClient http = new() { BaseAddress = Url(port), Timeout = TimeSpan.FromSeconds(10) };

    public async Task<NodeInfo[]> NodesAsync() => (await http.GetFromJsonAsync<NodeInfo[]>(new Uri("/api/v1/cluster/nodes", UriKind.Relative)))!;

    public async Task<NodeInfo> NodeAsync(string id) => (await NodesAsync()).Single(n => n.Id == id);

    public async Task<ShardInfo[]> ShardsAsync() => (await http.GetFromJsonAsync<ShardInfo[]>(new Uri("/api/v1/cluster/shards", UriKind.Relative)))!;

    public async Task<MigrationInfo[]> MigrationsAsync() => (await http.GetFromJsonAsync<MigrationInfo[]>(new Uri("/api/v1/cluster/migrations", UriKind.Relative)))!;

    public Task<HttpResponseMessage> PostAsync(string path, object? body = null) => http.PostAsJsonAsync(new Uri(path, UriKind.Relative), body ?? new { });

    /// <summary>
    /// Null when the cluster is at rest: every shard has a leader and <paramref name="factor"/> voters, all on nodes that
    /// are up, none learning, and no migration is in flight; otherwise what is not yet so.
    /// </summary>
    public async Task<string?> UnsettledAsync(int factor = 3)
    {
        var up = (await NodesAsync()).Where(n => n.State == NodeStates.Up).Select(n => n.Id).ToHashSet();
        foreach (var shard in await ShardsAsync())
        {
            var voters = shard.Replicas.Where(r => r.Role is ReplicaRoles.Leader or ReplicaRoles.Follower).Select(r => r.NodeId).ToList();
            if (shard.LeaderId is null || voters.Count != factor || shard.Replicas.Count != factor || !voters.All(up.Contains))
            {
                return $"{shard.Name}: leader {shard.LeaderId ?? "none"}, replicas {string.Join(", ", shard.Replicas.Select(r => $"{r.NodeId} {r.Role}"))}; up: {string.Join(", ", up.Order())}";
            }
        }

        var moving = (await MigrationsAsync()).Where(m => !MigrationStates.IsFinal(m.State)).ToList();
        return moving.Count == 0 ? null : $"{moving.Count} migration(s) in flight: {string.Join("; ", moving.Select(m => $"{m.Shard} {m.SourceNodeId}->{m.TargetNodeId} {m.Reason} {m.State}"))}";
    }

    /// <summary>The shards whose replica the node on <paramref name="nodePort"/> hosts now, by its own API.</summary>
    public static async Task<IReadOnlyList<int>> HostedAsync(int nodePort, int shards)
    {
        using var node = new HttpClient { BaseAddress = Url(nodePort), Timeout = TimeSpan.FromSeconds(10) };
        var hosted = new List<int>();
        for (var shard = 0; shard < shards; shard++)
        {
            using var response = await node.GetAsync(new Uri(string.Create(CultureInfo.InvariantCulture, $"/api/v1/cluster/shards/{shard}/replica"), UriKind.Relative));
            if (response.StatusCode == HttpStatusCode.OK)
            {
                hosted.Add(shard);
            }
            else if (response.StatusCode != HttpStatusCode.NotFound)
            {
                throw new HttpRequestException(string.Create(CultureInfo.InvariantCulture, $"shard {shard}'s replica answered {(int)response.StatusCode}"));
            }
        }

        return hosted;
    }

    /// <summary>Waits until <paramref name="problem"/> answers null (a failed request counts as not yet); fails with its last answer.</summary>
    public static async Task UntilAsync(string what, TimeSpan limit, Func<Task<string?>> problem)
    {
        var started = Stopwatch.GetTimestamp();
        var last = "not asked yet";
        while (Stopwatch.GetElapsedTime(started) < limit)
        {
            try
            {
                if (await problem() is not { } now)
                {
                    return;
                }

                last = now;
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException or InvalidOperationException)
            {
                last = e.Message;
            }

            await Task.Delay(Poll);
        }

        throw new ShouldAssertException($"{what} within {limit.TotalSeconds:0} s; last seen: {last}");
    }

    public void Dispose() => http.Dispose();

    private static Uri Url(int port) => new(string.Create(CultureInfo.InvariantCulture, $"http://localhost:{port}"));
}
