using System.Globalization;
using System.Net.Http.Json;
using System.Text.Json;
using NodeNomad.Contracts;

namespace NodeNomad.Node.Operations;

/// <summary>
/// <c>NodeNomad.Node hand-over</c>: the stop hook of a container (Kubernetes' <c>preStop</c>). It asks the node running
/// beside it, on <c>127.0.0.1:NODE_PORT</c> (over TLS when <c>TLS_CERT_FILE</c> is set), to hand every shard leadership it holds to another voter of the shard, so
/// the node's shards keep their leaders when it stops rather than wait out an election; and when the node is
/// draining (an operator drained it before scaling down), it waits until the drain has moved every replica off.
/// It exits 0 when done, and also when it gives up at the deadline: the container stops either way, and
/// the cluster then elects new leaders as it would after a crash.
/// </summary>
public static class HandOverCommand
{
    /// <summary>The command's argument.</summary>
    public const string Name = "hand-over";

    /// <summary>The variable that bounds the whole hand-over, in seconds.</summary>
    public const string SecondsKey = "HAND_OVER_SECONDS";

    private const int DefaultSeconds = 60;

    /// <summary>
    /// Hands over the local node's leaderships, and waits for a drain under way, for at most <c>HAND_OVER_SECONDS</c>
    /// (default 60; keep it below the container's stop grace period). Returns the process exit code.
    /// </summary>
    public static async Task<int> RunAsync(TextWriter output)
    {
        ArgumentNullException.ThrowIfNull(output);
        var port = Environment.GetEnvironmentVariable(Configuration.NodeOptions.Keys.Port) is { Length: > 0 } raw ? raw.Trim() : "3001";
        var seconds = int.TryParse(Environment.GetEnvironmentVariable(SecondsKey), NumberStyles.None, CultureInfo.InvariantCulture, out var configured) && configured > 0
            ? configured
            : DefaultSeconds;
        var token = Environment.GetEnvironmentVariable(Security.ClientAccessOptions.Keys.AdminToken) is { Length: > 0 } admin ? admin : null;
        // A node with a certificate serves its client port over TLS only; on loopback the certificate is checked against
        // the cluster's authority (or the machine's roots) but not for its name, which is the node's outside name.
        var tls = Environment.GetEnvironmentVariable(TlsFiles.CertFileKey) is { Length: > 0 };
        var authority = tls && Environment.GetEnvironmentVariable(TlsFiles.CaFileKey) is { Length: > 0 } ca ? TlsFiles.LoadAuthority(ca) : null;
        await HandOverAsync(new Uri($"{(tls ? "https" : "http")}://127.0.0.1:{port}"), TimeSpan.FromSeconds(seconds), output, CancellationToken.None, token,
            tls ? TlsFiles.ClientOptions(authority, ignoreName: true) : null);
        return 0;
    }

    /// <summary>
    /// Hands the leaderships of the node at <paramref name="node"/> to other voters that are up, then waits while the
    /// node is draining; stops at <paramref name="limit"/>. Returns whether it finished before the limit. The node's
    /// <c>ADMIN_TOKEN</c>, when it has one, is <paramref name="adminToken"/>: moving leaderships needs the admin scope.
    /// </summary>
    public static async Task<bool> HandOverAsync(
        Uri node, TimeSpan limit, TextWriter output, CancellationToken cancellationToken, string? adminToken = null, System.Net.Security.SslClientAuthenticationOptions? tls = null)
    {
        ArgumentNullException.ThrowIfNull(node);
        ArgumentNullException.ThrowIfNull(output);
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(limit);
        using var http = new HttpClient(new SocketsHttpHandler { SslOptions = tls ?? new() }) { BaseAddress = node, Timeout = TimeSpan.FromSeconds(15) };
        if (adminToken is not null)
        {
            http.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", adminToken);
        }

        try
        {
            var self = (await http.GetFromJsonAsync<ClusterInfo>("/api/v1/cluster/info", JsonSerializerOptions.Web, deadline.Token))!.NodeId;
            await HandOverLeadershipsAsync(http, self, output, deadline.Token);
            await WaitForDrainAsync(http, self, output, deadline.Token);
            return true;
        }
        catch (Exception e) when (e is HttpRequestException or OperationCanceledException or JsonException && !cancellationToken.IsCancellationRequested)
        {
            await output.WriteLineAsync($"hand-over: stopped before it finished ({e.Message}); the cluster elects new leaders for what is left.");
            return false;
        }
    }

    private static async Task HandOverLeadershipsAsync(HttpClient http, string self, TextWriter output, CancellationToken cancellationToken)
    {
        var up = (await NodesAsync(http, cancellationToken))
            .Where(n => n.State == NodeStates.Up && n.Id != self)
            .Select(n => n.Id)
            .ToHashSet(StringComparer.Ordinal);
        var shards = (await http.GetFromJsonAsync<List<ShardInfo>>("/api/v1/cluster/shards", JsonSerializerOptions.Web, cancellationToken))!;
        foreach (var shard in shards.Where(s => s.LeaderId == self))
        {
            // A follower that is up: a learner cannot lead, and a leadership sent to a node that is down waits out the timeout.
            var target = shard.Replicas.FirstOrDefault(r => r.NodeId != self && r.Role == ReplicaRoles.Follower && up.Contains(r.NodeId));
            if (target is null)
            {
                await output.WriteLineAsync($"hand-over: {shard.Name} has no other voter that is up; it elects a leader after this node stops.");
                continue;
            }

            using var response = await http.PostAsJsonAsync("/api/v1/cluster/leadership", new { shardId = shard.Id, nodeId = target.NodeId }, JsonSerializerOptions.Web, cancellationToken);
            await output.WriteLineAsync(response.IsSuccessStatusCode
                ? $"hand-over: {shard.Name} is now led by {target.NodeId}."
                : $"hand-over: {shard.Name} stays led here ({(int)response.StatusCode}); it elects a leader after this node stops.");
        }
    }

    private static async Task WaitForDrainAsync(HttpClient http, string self, TextWriter output, CancellationToken cancellationToken)
    {
        NodeInfo? node;
        while ((node = (await NodesAsync(http, cancellationToken)).FirstOrDefault(n => n.Id == self)) is { Membership: NodeMemberships.Draining })
        {
            await output.WriteLineAsync($"hand-over: {self} is draining: {node.Drain}");
            await Task.Delay(TimeSpan.FromSeconds(2), cancellationToken);
        }

        if (node is { Membership: NodeMemberships.Drained })
        {
            await output.WriteLineAsync($"hand-over: {self} is drained: it holds no replica, and may stop.");
        }
    }

    private static async Task<List<NodeInfo>> NodesAsync(HttpClient http, CancellationToken cancellationToken) =>
        (await http.GetFromJsonAsync<List<NodeInfo>>("/api/v1/cluster/nodes", JsonSerializerOptions.Web, cancellationToken))!;
}
