namespace NodeNomad.Node.Http;

/// <summary>The ProblemDetails answers of the API, one per kind of failure, each with the reason.</summary>
public static class Problems
{
    /// <summary>400: the request is not acceptable.</summary>
    public static IResult Invalid(string detail) =>
        TypedResults.Problem(detail, statusCode: StatusCodes.Status400BadRequest, title: "Invalid request");

    /// <summary>400 naming the request's <paramref name="field"/> that is wrong, in <c>errors</c> as validation problems do.</summary>
    public static IResult InvalidField(string field, string detail) =>
        TypedResults.ValidationProblem(new Dictionary<string, string[]> { [field] = [detail] }, detail, title: "Invalid request");

    /// <summary>415: the body is of a media type the endpoint does not take (the detail says which it does).</summary>
    public static IResult UnsupportedMediaType(string detail) =>
        TypedResults.Problem(detail, statusCode: StatusCodes.Status415UnsupportedMediaType, title: "Unsupported media type");

    /// <summary>404: the key is absent or expired.</summary>
    public static IResult KeyNotFound(string key) =>
        TypedResults.Problem($"The key does not exist or has expired.", statusCode: StatusCodes.Status404NotFound, title: "Key not found",
            extensions: new Dictionary<string, object?> { ["key"] = key });

    /// <summary>409: compare-and-set found another version.</summary>
    public static IResult VersionConflict(string key, long expected, long current) =>
        TypedResults.Problem($"Expected version {expected} but the key is at version {current}{(current == 0 ? " (absent)" : string.Empty)}.",
            statusCode: StatusCodes.Status409Conflict, title: "Version conflict",
            extensions: new Dictionary<string, object?> { ["key"] = key, ["expectedVersion"] = expected, ["currentVersion"] = current == 0 ? null : current });

    /// <summary>409: the request conflicts with the cluster's state (the detail says how).</summary>
    public static IResult Conflict(string detail) =>
        TypedResults.Problem(detail, statusCode: StatusCodes.Status409Conflict, title: "Conflict");

    /// <summary>404: no node of that id.</summary>
    public static IResult NodeNotFound(string id, IEnumerable<string> known) =>
        TypedResults.Problem($"{id} is not a node of the cluster (its nodes: {string.Join(", ", known)}).", statusCode: StatusCodes.Status404NotFound, title: "No such node");

    /// <summary>404: no migration of that id (ended ones are kept only so long).</summary>
    public static IResult MigrationNotFound(string id) =>
        TypedResults.Problem($"There is no migration {id} (the cluster keeps the last {Core.Cluster.MigrationRecord.HistoryKept} that ended).",
            statusCode: StatusCodes.Status404NotFound, title: "Migration not found");

    /// <summary>413: the value or the body is too large.</summary>
    public static IResult TooLarge(string detail) =>
        TypedResults.Problem(detail, statusCode: StatusCodes.Status413PayloadTooLarge, title: "Too large");

    /// <summary>415: the body is not JSON.</summary>
    public static IResult NotJson() =>
        TypedResults.Problem("Send the body as JSON with Content-Type: application/json.", statusCode: StatusCodes.Status415UnsupportedMediaType, title: "Unsupported media type");

    /// <summary>503 with Retry-After: the node cannot serve the request now.</summary>
    public static IResult Unavailable(HttpContext context, string detail, int retryAfterSeconds = 1)
    {
        ArgumentNullException.ThrowIfNull(context);
        context.Response.Headers.RetryAfter = retryAfterSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
        return TypedResults.Problem(detail, statusCode: StatusCodes.Status503ServiceUnavailable, title: "Unavailable");
    }

    /// <summary>
    /// 503 for a key request no replica took (this node does not lead the shard and may not forward the request
    /// again), marked so that the node the client called sends it once more rather than failing it.
    /// </summary>
    public static IResult NotTaken(HttpContext context, string detail)
    {
        ArgumentNullException.ThrowIfNull(context);
        context.Response.Headers[Contracts.RoutingHeaders.NotTaken] = "true";
        return Unavailable(context, detail);
    }

    /// <summary>
    /// 421: this node will not serve the key's shard for this request — the caller routed by an old epoch, or asked
    /// to be redirected rather than forwarded — and names the shard's leader when it knows it.
    /// </summary>
    public static IResult Misdirected(HttpContext context, int shardId, long epoch, string? leaderId, string? leaderUrl, string detail)
    {
        ArgumentNullException.ThrowIfNull(context);
        if (!string.IsNullOrEmpty(leaderUrl))
        {
            context.Response.Headers[Contracts.RoutingHeaders.LeaderUrl] = leaderUrl;
        }

        context.Response.Headers[Contracts.RoutingHeaders.ShardEpoch] = epoch.ToString(System.Globalization.CultureInfo.InvariantCulture);
        return TypedResults.Problem(detail, statusCode: StatusCodes.Status421MisdirectedRequest, title: "Misdirected request",
            extensions: new Dictionary<string, object?> { ["shardId"] = shardId, ["epoch"] = epoch, ["leaderId"] = leaderId, ["leaderUrl"] = string.IsNullOrEmpty(leaderUrl) ? null : leaderUrl });
    }
}
