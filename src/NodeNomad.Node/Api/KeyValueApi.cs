using System.Diagnostics;
using System.Globalization;
using NodeNomad.Contracts;
using NodeNomad.Core.KeyValue;
using System.Net.Http.Json;
using NodeNomad.Node.Http;
using NodeNomad.Node.Peers;
using NodeNomad.Node.Runtime;
using NodeNomad.Node.Shards;
using NodeNomad.Node.Telemetry;
using NodeNomad.Node.Security;

namespace NodeNomad.Node.Api;

/// <summary>The key-value endpoints under <c>/api/v1</c>.</summary>
public static partial class KeyValueApi
{
    private const string Prefix = "/api/v1";
    private const int DefaultPageSize = 100;
    private const int MaxPageSize = 1000;
    private const string RawBodyDescription = "The body is the value: application/octet-stream stores bytes, text/plain (UTF-8) stores text. The query may give ttl in seconds.";

    /// <summary>Maps set, cas, get, exists, ttl, delete and the key listing.</summary>
    public static IEndpointRouteBuilder MapKeyValueApi(this IEndpointRouteBuilder routes)
    {
        var api = routes.MapGroup(Prefix).WithTags("Keys");
        api.MapPost("/set", SetAsync).RequireScope(ApiScopes.Write).Accepts<SetRequest>("application/json").Produces<WriteResult>().ProducesProblem(400).ProducesProblem(413).ProducesProblem(503);
        api.MapPost("/cas", CompareAndSetAsync).RequireScope(ApiScopes.Write).Accepts<CasRequest>("application/json").Produces<WriteResult>().ProducesProblem(400).ProducesProblem(409).ProducesProblem(503);
        // The raw writes check their media type themselves (no Accepts metadata, which routing would enforce with a
        // bodiless 415) so that a wrong one is told which media types are taken.
        api.MapPut("/set/{**key}", SetRawAsync).RequireScope(ApiScopes.Write).WithDescription(RawBodyDescription).Produces<WriteResult>().ProducesProblem(400).ProducesProblem(413).ProducesProblem(415).ProducesProblem(503);
        api.MapPut("/cas/{**key}", CompareAndSetRawAsync).RequireScope(ApiScopes.Write).WithDescription(RawBodyDescription + " The query's expectedVersion is required.").Produces<WriteResult>().ProducesProblem(400).ProducesProblem(409).ProducesProblem(413).ProducesProblem(415).ProducesProblem(503);
        api.MapGet("/get/{**key}", GetAsync).RequireScope(ApiScopes.Read).Produces<KeyValue>().Produces<byte[]>(contentType: RawValue.OctetStream).ProducesProblem(400).ProducesProblem(404);
        api.MapGet("/exists/{**key}", ExistsAsync).RequireScope(ApiScopes.Read).Produces<ExistsResult>().ProducesProblem(400);
        api.MapGet("/ttl/{**key}", TtlAsync).RequireScope(ApiScopes.Read).Produces<TtlResult>().ProducesProblem(400).ProducesProblem(404);
        api.MapDelete("/delete/{**key}", DeleteAsync).RequireScope(ApiScopes.Write).Produces<DeleteResult>().ProducesProblem(400).ProducesProblem(404).ProducesProblem(503);
        api.MapGet("/keys", ListKeysAsync).RequireScope(ApiScopes.Read).Produces<KeyPage>().ProducesProblem(400);
        return routes;
    }

    private static async Task<IResult> SetAsync(HttpContext context, ShardRouter router, NodeMetrics metrics, CancellationToken cancellationToken)
    {
        // The body may be read again, to forward the request to the shard's leader.
        context.Request.EnableBuffering();
        var (body, problem) = await JsonBody.ReadAsync<SetRequest>(context.Request, cancellationToken);
        KvValue? value = null;
        problem ??= CheckWrite(body!.Key, body.Value, body.Encoding, body.Ttl, out value);
        if (problem is not null)
        {
            metrics.Rejected("set", "invalid");
            return problem;
        }

        var ttl = body!.Ttl;
        return await WriteAsync(context, router, metrics, "set", body.Key,
            now => new SetCommand(body.Key, value!, Expiry(now, ttl), now), cancellationToken);
    }

    private static async Task<IResult> CompareAndSetAsync(HttpContext context, ShardRouter router, NodeMetrics metrics, CancellationToken cancellationToken)
    {
        context.Request.EnableBuffering();
        var (body, problem) = await JsonBody.ReadAsync<CasRequest>(context.Request, cancellationToken);
        KvValue? value = null;
        problem ??= CheckWrite(body!.Key, body.Value, body.Encoding, body.Ttl, out value)
            ?? (body.ExpectedVersion < 0 ? Problems.Invalid($"expectedVersion must be 0 (absent) or a version; got {body.ExpectedVersion}.") : null);
        if (problem is not null)
        {
            metrics.Rejected("cas", "invalid");
            return problem;
        }

        var ttl = body!.Ttl;
        return await WriteAsync(context, router, metrics, "cas", body.Key,
            now => new CompareAndSetCommand(body.Key, body.ExpectedVersion, value!, Expiry(now, ttl), now), cancellationToken,
            conflict: current => Problems.VersionConflict(body.Key, body.ExpectedVersion, current));
    }

    private static async Task<IResult> DeleteAsync(HttpContext context, ShardRouter router, NodeMetrics metrics, CancellationToken cancellationToken)
    {
        var (key, problem) = KeyRoute.Extract(context, $"{Prefix}/delete/");
        if (problem is not null)
        {
            metrics.Rejected("delete", "invalid");
            return Problems.Invalid(problem);
        }

        return await WriteAsync(context, router, metrics, "delete", key!, now => new DeleteCommand(key!, now), cancellationToken);
    }

    private static async Task<IResult> WriteAsync(
        HttpContext context,
        ShardRouter router,
        NodeMetrics metrics,
        string operation,
        string key,
        Func<long, KvCommand> build,
        CancellationToken cancellationToken,
        Func<long, IResult>? conflict = null)
    {
        var started = Stopwatch.GetTimestamp();
        return await router.ServeAsync(context, operation,
            () => WriteOnceAsync(context, router, metrics, operation, key, build, started, conflict, cancellationToken), cancellationToken);
    }

    private static async Task<IResult> WriteOnceAsync(
        HttpContext context,
        ShardRouter router,
        NodeMetrics metrics,
        string operation,
        string key,
        Func<long, KvCommand> build,
        long started,
        Func<long, IResult>? conflict,
        CancellationToken cancellationToken)
    {
        var (shard, answer) = await router.RouteAsync(context, key, leaderOnly: true, cancellationToken);
        if (shard is null)
        {
            return answer!;
        }

        var (outcome, result) = await router.Host.WriteAsync(shard, build, cancellationToken);
        if (!outcome.IsDone)
        {
            metrics.Rejected(operation, outcome.Kind == OutcomeKind.NotLeader ? "not-leader" : "unavailable");
            return await router.NotDoneAsync(context, shard, outcome, cancellationToken);
        }

        var elapsed = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
        metrics.Write(operation, result.Outcome.ToString(), elapsed);
        shard.Writes.Add();
        return result.Outcome switch
        {
            KvOutcome.Applied when operation == "delete" => TypedResults.Ok(new DeleteResult(key, result.Version)),
            KvOutcome.Applied => TypedResults.Ok(new WriteResult(key, result.Version, Time(result.ExpiresAt))),
            KvOutcome.NotFound => Problems.KeyNotFound(key),
            KvOutcome.VersionMismatch when conflict is not null => conflict(result.Version),
            _ => throw new UnreachableException($"Outcome {result.Outcome} of {operation}."),
        };
    }

    private static Task<IResult> GetAsync(HttpContext context, ShardRouter router, NodeMetrics metrics, TimeProvider clock, CancellationToken cancellationToken) =>
        LookupAsync(context, router, metrics, clock, "get", (key, record) => record switch
        {
            null => Problems.KeyNotFound(key),
            _ when WantsRaw(context.Request) => Raw(context, record),
            { Value.IsBinary: true } => TypedResults.Ok(new KeyValue(record.Key, Convert.ToBase64String(record.Value.Bytes.Span), record.Version, Time(record.ExpiresAt), ValueEncodings.Base64)),
            _ => TypedResults.Ok(new KeyValue(record.Key, record.Value.Text!, record.Version, Time(record.ExpiresAt))),
        }, cancellationToken);

    private static Task<IResult> ExistsAsync(HttpContext context, ShardRouter router, NodeMetrics metrics, TimeProvider clock, CancellationToken cancellationToken) =>
        LookupAsync(context, router, metrics, clock, "exists", (key, record) => TypedResults.Ok(new ExistsResult(key, record is not null, record?.Version)), cancellationToken);

    private static Task<IResult> TtlAsync(HttpContext context, ShardRouter router, NodeMetrics metrics, TimeProvider clock, CancellationToken cancellationToken) =>
        LookupAsync(context, router, metrics, clock, "ttl", (key, record) =>
        {
            if (record is null)
            {
                return Problems.KeyNotFound(key);
            }

            long? seconds = record.ExpiresAt is { } expiry
                ? (long)Math.Ceiling((expiry - clock.GetUtcNow().ToUnixTimeMilliseconds()) / 1000.0)
                : null;
            return TypedResults.Ok(new TtlResult(key, seconds, Time(record.ExpiresAt)));
        }, cancellationToken);

    private static async Task<IResult> LookupAsync(
        HttpContext context,
        ShardRouter router,
        NodeMetrics metrics,
        TimeProvider clock,
        string operation,
        Func<string, KvRecord?, IResult> answer,
        CancellationToken cancellationToken)
    {
        var started = Stopwatch.GetTimestamp();
        var (key, problem) = KeyRoute.Extract(context, $"{Prefix}/{operation}/");
        var (linearizable, consistencyProblem) = Consistency(context.Request);
        problem ??= consistencyProblem;
        if (problem is not null)
        {
            metrics.Rejected(operation, "invalid");
            return Problems.Invalid(problem);
        }

        return await router.ServeAsync(context, operation,
            () => LookupOnceAsync(context, router, metrics, operation, key!, linearizable, answer, started, cancellationToken), cancellationToken);
    }

    private static async Task<IResult> LookupOnceAsync(
        HttpContext context,
        ShardRouter router,
        NodeMetrics metrics,
        string operation,
        string key,
        bool linearizable,
        Func<string, KvRecord?, IResult> answer,
        long started,
        CancellationToken cancellationToken)
    {
        var (shard, routed) = await router.RouteAsync(context, key, leaderOnly: false, cancellationToken);
        if (shard is null)
        {
            return routed!;
        }

        // Expiry is judged at the time the read's leader vouched for (or, for a stale read, this node's clock now).
        var (outcome, record) = await router.Host.ReadAsync(shard, (m, now) => m.Get(key, now), linearizable, cancellationToken);
        if (!outcome.IsDone)
        {
            metrics.Rejected(operation, "unavailable");
            return await router.NotDoneAsync(context, shard, outcome, cancellationToken);
        }

        metrics.Read(operation, record is null ? "absent" : "found", Stopwatch.GetElapsedTime(started).TotalMilliseconds);
        shard.Reads.Add();
        return answer(key, record);
    }

    /// <summary>
    /// Lists keys across every shard: keys are spread by hash, so each shard returns its first keys after the
    /// cursor in order, and the page is the first of their union. With <c>shard=N</c> (how nodes ask each other)
    /// only that shard is listed.
    /// </summary>
    private static async Task<IResult> ListKeysAsync(HttpContext context, ReplicaHost host, ShardRouter router, PeerHttp peers, NodeMetrics metrics, CancellationToken cancellationToken)
    {
        var started = Stopwatch.GetTimestamp();
        var query = context.Request.Query;
        var prefix = query["prefix"].ToString();
        var after = query.ContainsKey("after") ? query["after"].ToString() : null;
        var limit = DefaultPageSize;
        var (linearizable, problem) = Consistency(context.Request);
        if (query.TryGetValue("limit", out var rawLimit)
            && (!int.TryParse(rawLimit, NumberStyles.Integer, CultureInfo.InvariantCulture, out limit) || limit is < 1 or > MaxPageSize))
        {
            problem = $"limit must be a whole number from 1 to {MaxPageSize}; got '{rawLimit}'.";
        }

        int? only = null;
        if (query.TryGetValue("shard", out var rawShard))
        {
            if (int.TryParse(rawShard, NumberStyles.None, CultureInfo.InvariantCulture, out var shardId) && host.Map.Shard(shardId) is not null)
            {
                only = shardId;
            }
            else
            {
                problem = $"shard must name one of the cluster's {host.Map.ShardCount} shards; got '{rawShard}'.";
            }
        }

        if (problem is not null)
        {
            metrics.Rejected("keys", "invalid");
            return Problems.Invalid(problem);
        }

        var map = host.Map;
        if (!map.IsBootstrapped)
        {
            return Problems.Unavailable(context, "The cluster is being created: this node has no shard map yet.");
        }

        IReadOnlyList<Core.Cluster.ShardRecord> shards = only is { } single ? [map.Shards[single]] : map.Shards;
        var pages = new List<KeyPage>();
        foreach (var shard in shards)
        {
            var local = shard.IsHeldBy(host.SelfId) ? host.Shard(shard.Id) : null;
            if (local is not null)
            {
                var (outcome, page) = await host.ReadAsync(local, (m, now) => m.Scan(prefix, string.IsNullOrEmpty(after) ? null : after, limit, now), linearizable, cancellationToken);
                if (!outcome.IsDone)
                {
                    metrics.Rejected("keys", "unavailable");
                    return Problems.Unavailable(context, $"Shard {shard.Id}: {outcome.Reason}");
                }

                pages.Add(new KeyPage([.. page!.Items.Select(r => new KeySummary(r.Key, r.Version, Time(r.ExpiresAt), r.ValueBytes, r.Value.IsBinary ? ValueEncodings.Base64 : null))], page.NextAfter));
            }
            else if (only is null)
            {
                if (await RemotePageAsync(context, router, peers, shard, cancellationToken) is not { } remote)
                {
                    metrics.Rejected("keys", "unavailable");
                    return Problems.Unavailable(context, $"Shard {shard.Id}: no replica answered the listing.");
                }

                pages.Add(remote);
            }
            else
            {
                return Problems.Unavailable(context, $"This node holds no replica of shard {shard.Id}.");
            }
        }

        var merged = pages.SelectMany(p => p.Items).OrderBy(k => k.Key, StringComparer.Ordinal).ToList();
        var more = merged.Count > limit || pages.Any(p => p.NextCursor is not null);
        var items = merged.Take(limit).ToList();
        metrics.Read("keys", "found", Stopwatch.GetElapsedTime(started).TotalMilliseconds);
        return TypedResults.Ok(new KeyPage(items, more && items.Count > 0 ? items[^1].Key : null));
    }

    private static async Task<KeyPage?> RemotePageAsync(HttpContext context, ShardRouter router, PeerHttp peers, Core.Cluster.ShardRecord shard, CancellationToken cancellationToken)
    {
        var leader = router.LeaderOf(shard.Id);
        var targets = (leader is null ? shard.Replicas : shard.Replicas.Prepend(leader).Distinct()).ToList();
        var query = QueryString.Create(context.Request.Query.Where(q => q.Key != "shard").SelectMany(q => q.Value.Select(v => KeyValuePair.Create(q.Key, v))))
            .Add("shard", shard.Id.ToString(CultureInfo.InvariantCulture));
        foreach (var target in targets)
        {
            if (router.PeerUriOf(target) is not { } peer)
            {
                continue;
            }

            using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(peer, $"{Prefix}/keys{query}"));
            request.Headers.Add(PeerHttp.ForwardedByHeader, router.SelfId);
            try
            {
                using var response = await peers.SendAsync(request, cancellationToken);
                if (response.IsSuccessStatusCode && await response.Content.ReadFromJsonAsync<KeyPage>(cancellationToken) is { } page)
                {
                    return page;
                }
            }
            catch (HttpRequestException)
            {
            }
        }

        return null;
    }

    /// <summary>
    /// Checks a JSON write and makes its value: text unless <paramref name="encoding"/> says base64, in which case the
    /// value is the base64 of bytes. A value too large (in bytes, decoded) is a 413; every other fault a 400 naming its field.
    /// </summary>
    private static IResult? CheckWrite(string? key, string? text, string? encoding, long? ttl, out KvValue? value)
    {
        value = null;
        var problem = KeyRules.CheckKey(key);
        if (problem is not null || (problem = KeyRules.CheckTtl(ttl)) is not null)
        {
            return Problems.Invalid(problem);
        }

        if (encoding is not null && !ValueEncodings.IsBase64(encoding) && !string.Equals(encoding, ValueEncodings.Utf8, StringComparison.OrdinalIgnoreCase))
        {
            return Problems.InvalidField("encoding", $"encoding must be '{ValueEncodings.Utf8}' (text, the default) or '{ValueEncodings.Base64}' (bytes); got '{encoding}'.");
        }

        if (!ValueEncodings.IsBase64(encoding))
        {
            if ((problem = KeyRules.CheckValue(text)) is not null)
            {
                return Problems.InvalidField("value", problem);
            }

            var tooLarge = KeyRules.CheckValueSize(text!);
            value = tooLarge is null ? KvValue.FromText(text!) : null;
            return tooLarge is null ? null : Problems.TooLarge(tooLarge);
        }

        if (text is null)
        {
            return Problems.InvalidField("value", "The value is required (with encoding 'base64', the base64 of the bytes; empty for no bytes).");
        }

        // Base64 holds 3 bytes in 4 characters: anything longer than the limit's base64 is too large before decoding it.
        if (text.Length > ((KeyRules.MaxValueBytes + 2) / 3 * 4) + 2)
        {
            return Problems.TooLarge($"The value's base64 is {text.Length} characters, more than {KeyRules.MaxValueBytes} bytes (1 MiB) can need.");
        }

        var bytes = new byte[(text.Length / 4 * 3) + 3];
        if (!Convert.TryFromBase64String(text, bytes, out var written))
        {
            return Problems.InvalidField("value", "value is not valid base64 (encoding 'base64'): use standard base64 (A-Z, a-z, 0-9, '+', '/') with '=' padding.");
        }

        var oversize = KeyRules.CheckValueSize(written);
        value = oversize is null ? KvValue.FromBytes(bytes.AsSpan(0, written)) : null;
        return oversize is null ? null : Problems.TooLarge(oversize);
    }

    private static (bool Linearizable, string? Problem) Consistency(HttpRequest request)
    {
        var consistency = request.Query["consistency"].ToString();
        return consistency switch
        {
            "" or "linearizable" => (true, null),
            "stale" => (false, null),
            _ => (true, $"consistency must be 'linearizable' (the default) or 'stale'; got '{consistency}'."),
        };
    }

    private static long? Expiry(long now, long? ttlSeconds) => ttlSeconds is { } ttl ? now + (ttl * 1000) : null;

    private static DateTimeOffset? Time(long? unixMilliseconds) =>
        unixMilliseconds is { } ms ? DateTimeOffset.FromUnixTimeMilliseconds(ms) : null;
}
