using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;

namespace NodeNomad.Load.Stores;

/// <summary>
/// etcd 3.4 through its JSON gateway (<c>/v3/kv/*</c>, base64 keys and values), each request to the members in turn.
/// A key's version is its <c>mod_revision</c>, which, like NodeNomad's version, only grows with each write of it.
/// </summary>
internal sealed class EtcdStore(HttpClient http, IReadOnlyList<Uri> members) : IKeyValueStore
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.General)
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        DefaultIgnoreCondition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull,
    };

    private long turn;

    public string Name => "etcd";

    public IReadOnlyList<string> Notes { get; } =
    [
        "etcd: a stale read is a serializable range (the member's own state, no round with the leader).",
        "etcd: compare-and-set is a txn comparing the key's mod_revision; a scan is a range over the prefix with a limit.",
        "etcd: a write with a TTL is a lease grant then a put attached to it, two requests timed as one operation.",
    ];

    public bool Supports(OperationKind kind) => true;

    public async Task<OperationResult> ReadAsync(string key, bool linearizable, CancellationToken cancellationToken)
    {
        var (result, body) = await PostAsync("v3/kv/range", new Range(Base64(key), Serializable: linearizable ? null : true), cancellationToken);
        using (body)
        {
            if (body is null)
            {
                return result;
            }

            return body.RootElement.TryGetProperty("kvs", out var kvs) && kvs.GetArrayLength() > 0
                ? OperationResult.Ok(StoreHttp.Number(kvs[0], "mod_revision"))
                : new OperationResult(Outcome.NotFound);
        }
    }

    public async Task<OperationResult> WriteAsync(string key, string value, int? ttlSeconds, CancellationToken cancellationToken)
    {
        string? lease = null;
        if (ttlSeconds is { } ttl)
        {
            var (granted, grant) = await PostAsync("v3/lease/grant", new LeaseGrant(ttl), cancellationToken);
            using (grant)
            {
                if (grant is null)
                {
                    return granted;
                }

                lease = grant.RootElement.GetProperty("ID").GetString();
            }
        }

        var (result, body) = await PostAsync("v3/kv/put", new Put(Base64(key), Base64(value), lease), cancellationToken);
        using (body)
        {
            return body is null ? result : OperationResult.Ok(Revision(body.RootElement));
        }
    }

    public async Task<OperationResult> CompareAndSetAsync(string key, long expectedVersion, string value, CancellationToken cancellationToken)
    {
        var txn = new Txn(
            [new Compare(Base64(key), "MOD", expectedVersion.ToString(System.Globalization.CultureInfo.InvariantCulture))],
            [new RequestOp(new Put(Base64(key), Base64(value), null), null)],
            [new RequestOp(null, new Range(Base64(key), null))]);
        var (result, body) = await PostAsync("v3/kv/txn", txn, cancellationToken);
        using (body)
        {
            if (body is null)
            {
                return result;
            }

            if (body.RootElement.TryGetProperty("succeeded", out var succeeded) && succeeded.GetBoolean())
            {
                return OperationResult.Ok(Revision(body.RootElement));
            }

            // The failure branch read the key: its mod_revision is the version a retry would compare with.
            var current = body.RootElement.TryGetProperty("responses", out var responses) && responses.GetArrayLength() > 0
                && responses[0].TryGetProperty("response_range", out var range) && range.TryGetProperty("kvs", out var kvs) && kvs.GetArrayLength() > 0
                ? StoreHttp.Number(kvs[0], "mod_revision")
                : 0;
            return new OperationResult(Outcome.Conflict, current);
        }
    }

    public async Task<OperationResult> DeleteAsync(string key, CancellationToken cancellationToken)
    {
        var (result, body) = await PostAsync("v3/kv/deleterange", new Range(Base64(key), null), cancellationToken);
        using (body)
        {
            return body is null ? result
                : StoreHttp.Number(body.RootElement, "deleted") > 0 ? OperationResult.Ok(Revision(body.RootElement)) : new OperationResult(Outcome.NotFound);
        }
    }

    public async Task<OperationResult> ScanAsync(string prefix, int limit, CancellationToken cancellationToken)
    {
        var start = Encoding.UTF8.GetBytes(prefix);
        var end = (byte[])start.Clone();
        end[^1]++; // the prefix's keys end before the prefix with its last byte raised (keys here are ASCII)
        var (result, body) = await PostAsync("v3/kv/range", new Range(Convert.ToBase64String(start), null, Convert.ToBase64String(end), limit, KeysOnly: true), cancellationToken);
        using (body)
        {
            return body is null ? result : OperationResult.Ok();
        }
    }

    private async Task<(OperationResult Result, JsonDocument? Body)> PostAsync<T>(string path, T payload, CancellationToken cancellationToken)
    {
        var member = members[(int)(Interlocked.Increment(ref turn) % members.Count)];
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(member, path)) { Content = JsonContent.Create(payload, options: Json) };
        var (sent, error) = await StoreHttp.SendAsync(http, request, cancellationToken);
        if (sent is null)
        {
            return (error, null);
        }

        using var response = sent;
        if (response.StatusCode != HttpStatusCode.OK)
        {
            return (await StoreHttp.ErrorAsync(response, cancellationToken), null);
        }

        return await StoreHttp.ReadJsonAsync(response, cancellationToken) is { } body
            ? (OperationResult.Ok(), body)
            : (new OperationResult(Outcome.Other, Detail: $"{path} answered a body that is not JSON"), null);
    }

    private static long Revision(JsonElement root) => root.TryGetProperty("header", out var header) ? StoreHttp.Number(header, "revision") : 0;

    private static string Base64(string text) => Convert.ToBase64String(Encoding.UTF8.GetBytes(text));

    private sealed record Range(string Key, bool? Serializable, string? RangeEnd = null, long? Limit = null, bool? KeysOnly = null);

    private sealed record Put(string Key, string Value, string? Lease);

    private sealed record LeaseGrant([property: System.Text.Json.Serialization.JsonPropertyName("TTL")] long Ttl);

    private sealed record Compare(string Key, string Target, string ModRevision);

    private sealed record RequestOp(Put? RequestPut, Range? RequestRange);

    private sealed record Txn(IReadOnlyList<Compare> Compare, IReadOnlyList<RequestOp> Success, IReadOnlyList<RequestOp> Failure);
}
