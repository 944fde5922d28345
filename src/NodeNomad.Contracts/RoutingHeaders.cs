namespace NodeNomad.Contracts;

/// <summary>
/// Headers by which a shard-aware client and the nodes agree on routing. A client that routed a request by its
/// shard map sends the shard's epoch it routed by, and may ask not to be forwarded: a node that does not lead the
/// key's shard (or holds a newer epoch) then answers <c>421 Misdirected Request</c> naming the leader, instead of
/// relaying the request.
/// </summary>
public static class RoutingHeaders
{
    /// <summary>Request: the shard epoch the client routed by (decimal).</summary>
    public const string Epoch = "X-NodeNomad-Epoch";

    /// <summary>Request: <c>true</c> asks for a 421 instead of a forward when this node is not the shard's leader.</summary>
    public const string Redirect = "X-NodeNomad-Redirect";

    /// <summary>Response to a 421: the client URL of the shard's leader, when known.</summary>
    public const string LeaderUrl = "X-NodeNomad-Leader-Url";

    /// <summary>Response to a 421 (and to every key request): the shard's current epoch on the answering node.</summary>
    public const string ShardEpoch = "X-NodeNomad-Shard-Epoch";

    /// <summary>Response to a key request: the id of the shard that owns the key.</summary>
    public const string Shard = "X-NodeNomad-Shard";

    /// <summary>Response to a forwarded key request: the node that served it.</summary>
    public const string ServedBy = "X-NodeNomad-Served-By";

    /// <summary>
    /// Response to a 503: <c>true</c> when no replica took the request (the node it reached did not lead the shard
    /// and could not forward it further), so sending it again is safe, a write included. The node the client called
    /// sends it again itself until the request timeout; a client sees the header only once that ran out.
    /// </summary>
    public const string NotTaken = "X-NodeNomad-Not-Taken";
}
