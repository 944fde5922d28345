using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Serialization;
using NodeNomad.Contracts;

namespace NodeNomad.Load;

/// <summary>
/// A NodeNomad node: <c>POST /api/v1/set</c>, counted by <c>GET /api/v1/cluster/metrics</c>; reads with
/// <c>GET /api/v1/get/{key}</c>; who leads from <c>GET /api/v1/cluster/info</c>.
/// </summary>
internal sealed class NodeNomadTarget(Uri url) : IWriteTarget
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull };

    public string Name => "NodeNomad";

    public Uri Url { get; } = url;

    public Uri WriteUrl { get; } = new(url, "api/v1/set");

    public byte[] WriteBody(string key, string value) => JsonSerializer.SerializeToUtf8Bytes(new SetRequest(key, value), Json);

    /// <summary>A linearizable read of <paramref name="key"/> (ReadIndex: the node confirms the leader before it answers).</summary>
    public Uri ReadUrl(string key) => new(Url, $"api/v1/get/{Uri.EscapeDataString(key)}?consistency=linearizable");

    /// <summary>What the node says about shard 0 (the only one of a one-shard cluster), or null when it does not answer.</summary>
    public async Task<ShardInfo?> ReadFirstShardAsync(HttpClient http, CancellationToken cancellationToken)
    {
        try
        {
            var shards = await http.GetFromJsonAsync<ShardInfo[]>(new Uri(Url, "api/v1/cluster/shards"), Json, cancellationToken);
            return shards?.FirstOrDefault(s => s.Id == 0);
        }
        catch (Exception e) when (e is HttpRequestException or JsonException || (e is TaskCanceledException && !cancellationToken.IsCancellationRequested))
        {
            return null;
        }
    }

    public async Task<DurabilityCounters> ReadCountersAsync(HttpClient http, CancellationToken cancellationToken)
    {
        var metrics = await http.GetFromJsonAsync<ClusterMetrics>(new Uri(Url, "api/v1/cluster/metrics"), Json, cancellationToken)
            ?? throw new BenchSetupException($"{Url}api/v1/cluster/metrics answered an empty body.");
        var own = metrics.Nodes.Single(n => n.NodeId == metrics.NodeId);
        return new DurabilityCounters(own.Writes, own.SyncedBatches);
    }
}
