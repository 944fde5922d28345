using System.Globalization;
using System.Text;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Net.Http.Headers;
using NodeNomad.Contracts;
using NodeNomad.Core.KeyValue;
using NodeNomad.Node.Http;
using NodeNomad.Node.Telemetry;

namespace NodeNomad.Node.Api;

/// <summary>Values as raw bodies: <c>PUT /set/{key}</c>, <c>PUT /cas/{key}</c>, and a read that asks for <c>application/octet-stream</c>.</summary>
public static partial class KeyValueApi
{
    private static async Task<IResult> SetRawAsync(HttpContext context, ShardRouter router, NodeMetrics metrics, CancellationToken cancellationToken)
    {
        var (key, ttl, _, value, problem) = await ReadRawWriteAsync(context, "set", expectsVersion: false, cancellationToken);
        if (problem is not null)
        {
            metrics.Rejected("set", "invalid");
            return problem;
        }

        return await WriteAsync(context, router, metrics, "set", key!,
            now => new SetCommand(key!, value!, Expiry(now, ttl), now), cancellationToken);
    }

    private static async Task<IResult> CompareAndSetRawAsync(HttpContext context, ShardRouter router, NodeMetrics metrics, CancellationToken cancellationToken)
    {
        var (key, ttl, expected, value, problem) = await ReadRawWriteAsync(context, "cas", expectsVersion: true, cancellationToken);
        if (problem is not null)
        {
            metrics.Rejected("cas", "invalid");
            return problem;
        }

        return await WriteAsync(context, router, metrics, "cas", key!,
            now => new CompareAndSetCommand(key!, expected, value!, Expiry(now, ttl), now), cancellationToken,
            conflict: current => Problems.VersionConflict(key!, expected, current));
    }

    /// <summary>
    /// The key from the path, <c>ttl</c> and <c>expectedVersion</c> from the query, and the value from the body:
    /// bytes for <c>application/octet-stream</c>, text for <c>text/plain</c> (UTF-8). Every fault is the answer to give.
    /// </summary>
    private static async Task<(string? Key, long? Ttl, long ExpectedVersion, KvValue? Value, IResult? Problem)> ReadRawWriteAsync(
        HttpContext context, string operation, bool expectsVersion, CancellationToken cancellationToken)
    {
        // The body may be read again, to forward the request to the shard's leader.
        context.Request.EnableBuffering();
        var (key, keyProblem) = KeyRoute.Extract(context, $"{Prefix}/{operation}/");
        if (keyProblem is not null)
        {
            return (null, null, 0, null, Problems.Invalid(keyProblem));
        }

        var query = context.Request.Query;
        long? ttl = null;
        if (query.TryGetValue("ttl", out var rawTtl))
        {
            if (!long.TryParse(rawTtl, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var seconds))
            {
                return (null, null, 0, null, Problems.InvalidField("ttl", $"ttl must be a whole number of seconds; got '{rawTtl}'."));
            }

            ttl = seconds;
        }

        if (KeyRules.CheckTtl(ttl) is { } ttlProblem)
        {
            return (null, null, 0, null, Problems.InvalidField("ttl", ttlProblem));
        }

        var expected = 0L;
        if (expectsVersion && (!query.TryGetValue("expectedVersion", out var rawVersion)
            || !long.TryParse(rawVersion, NumberStyles.None, CultureInfo.InvariantCulture, out expected)))
        {
            return (null, null, 0, null, Problems.InvalidField("expectedVersion",
                $"expectedVersion must be given in the query, 0 (the key must be absent) or the version read; got '{query["expectedVersion"]}'."));
        }

        var (value, valueProblem) = await ReadRawValueAsync(context.Request, cancellationToken);
        return (key, ttl, expected, value, valueProblem);
    }

    private static async Task<(KvValue? Value, IResult? Problem)> ReadRawValueAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        var binary = false;
        if (MediaTypeHeaderValue.TryParse(request.ContentType, out var mediaType) && mediaType.MediaType.Equals(RawValue.OctetStream, StringComparison.OrdinalIgnoreCase))
        {
            binary = true;
        }
        else if (mediaType is null || !mediaType.MediaType.Equals(RawValue.PlainText, StringComparison.OrdinalIgnoreCase)
            || (mediaType.Charset.HasValue && !mediaType.Charset.Equals("utf-8", StringComparison.OrdinalIgnoreCase)))
        {
            return (null, Problems.UnsupportedMediaType(
                $"Send the value as {RawValue.OctetStream} (bytes) or {RawValue.PlainText}; charset=utf-8 (text); got '{request.ContentType}'. JSON values go to POST {Prefix}/set and {Prefix}/cas."));
        }

        if (request.ContentLength is > KeyRules.MaxValueBytes)
        {
            return (null, Problems.TooLarge($"The value is {request.ContentLength} bytes; the limit is {KeyRules.MaxValueBytes} (1 MiB)."));
        }

        using var body = new MemoryStream();
        var buffer = new byte[64 * 1024];
        try
        {
            while (await request.Body.ReadAsync(buffer, cancellationToken) is var read and > 0)
            {
                body.Write(buffer, 0, read);
                if (body.Length > KeyRules.MaxValueBytes)
                {
                    return (null, Problems.TooLarge($"The value is more than {KeyRules.MaxValueBytes} bytes (1 MiB), the limit."));
                }
            }
        }
        catch (BadHttpRequestException e)
        {
            return (null, JsonBody.Unreadable(e));
        }

        if (binary)
        {
            return (KvValue.FromBytes(body.GetBuffer().AsSpan(0, (int)body.Length)), null);
        }

        try
        {
            return (KvValue.FromText(KeyRules.StrictUtf8.GetString(body.GetBuffer(), 0, (int)body.Length)), null);
        }
        catch (DecoderFallbackException)
        {
            return (null, Problems.InvalidField("value", $"A {RawValue.PlainText} value must be valid UTF-8; send bytes as {RawValue.OctetStream}."));
        }
    }

    /// <summary>Whether a read asks for the value's raw bytes: its Accept names <c>application/octet-stream</c> and not JSON.</summary>
    private static bool WantsRaw(HttpRequest request)
    {
        var accepts = request.GetTypedHeaders().Accept;
        return accepts.Any(a => a.Quality is not 0 && a.MediaType.Equals(RawValue.OctetStream, StringComparison.OrdinalIgnoreCase))
            && !accepts.Any(a => a.Quality is not 0 && a.MediaType.Equals("application/json", StringComparison.OrdinalIgnoreCase));
    }

    /// <summary>The value's bytes (a text value's UTF-8) as the body; its version, expiry and kind in headers.</summary>
    private static FileContentHttpResult Raw(HttpContext context, KvRecord record)
    {
        var headers = context.Response.Headers;
        headers[RawValue.VersionHeader] = record.Version.ToString(CultureInfo.InvariantCulture);
        headers[RawValue.KindHeader] = record.Value.IsBinary ? RawValue.Binary : ValueEncodings.Utf8;
        if (Time(record.ExpiresAt) is { } expiresAt)
        {
            headers[RawValue.ExpiresAtHeader] = expiresAt.ToString("O", CultureInfo.InvariantCulture);
        }

        return TypedResults.Bytes(record.Value.Bytes.ToArray(), RawValue.OctetStream);
    }
}
