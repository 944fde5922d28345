using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Serialization;
using NodeNomad.Contracts;

namespace NodeNomad.Load;

/// <summary>A NodeNomad node: <c>POST /api/v1/set</c>, counted by <c>GET /api/v1/cluster/metrics</c>.</summary>
internal sealed class NodeNomadTarget(Uri url) : IWriteTarget
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull };

    public string Name => "NodeNomad";

    public Uri Url { get; } = url;

    public Uri WriteUrl { get; } = new(url, "api/v1/set");

    public byte[] WriteBody(string key, string value) => JsonSerializer.SerializeToUtf8Bytes(new SetRequest(key, value), Json);

    public async Task<DurabilityCounters> ReadCountersAsync(HttpClient http, CancellationToken cancellationToken)
    {
        var metrics = await http.GetFromJsonAsync<ClusterMetrics>(new Uri(Url, "api/v1/cluster/metrics"), Json, cancellationToken)
            ?? throw new BenchSetupException($"{Url}api/v1/cluster/metrics answered an empty body.");
        return new DurabilityCounters(metrics.Writes, metrics.SyncedBatches);
    }
}
