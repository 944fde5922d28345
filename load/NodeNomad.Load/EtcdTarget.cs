using System.Globalization;
using System.Text;
using System.Text.Json;

namespace NodeNomad.Load;

/// <summary>
/// An etcd member's JSON gateway: <c>POST /v3/kv/put</c> with base64 key and value, counted by the member's
/// Prometheus metrics (puts it applied, and fsyncs of its write-ahead log).
/// </summary>
internal sealed class EtcdTarget(Uri url) : IWriteTarget
{
    private const string PutsMetric = "etcd_mvcc_put_total";
    private const string FsyncsMetric = "etcd_disk_wal_fsync_duration_seconds_count";
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    public string Name => "etcd";

    public Uri Url { get; } = url;

    public Uri WriteUrl { get; } = new(url, "v3/kv/put");

    public byte[] WriteBody(string key, string value) => JsonSerializer.SerializeToUtf8Bytes(new Put(Base64(key), Base64(value)), Json);

    public async Task<DurabilityCounters> ReadCountersAsync(HttpClient http, CancellationToken cancellationToken)
    {
        var text = await http.GetStringAsync(new Uri(Url, "metrics"), cancellationToken);
        return new DurabilityCounters(Counter(text, PutsMetric), Counter(text, FsyncsMetric));
    }

    private static string Base64(string text) => Convert.ToBase64String(Encoding.UTF8.GetBytes(text));

    private static long Counter(string metrics, string name)
    {
        var line = metrics.Split('\n').FirstOrDefault(l => l.StartsWith(name + " ", StringComparison.Ordinal))
            ?? throw new BenchSetupException($"etcd's /metrics has no {name}.");
        return (long)double.Parse(line.AsSpan(name.Length + 1), CultureInfo.InvariantCulture);
    }

    private sealed record Put(string Key, string Value);
}
