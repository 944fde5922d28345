using System.Net;
using Refit;

namespace NodeNomad.Client;

/// <summary>
/// The cluster cannot serve the request now (503): no quorum, no leader for the key's shard, or the node is
/// shutting down. Whether a write that got this answer was applied is not known to the client; the client
/// does not retry writes on its own (see <see cref="ServiceCollectionExtensions"/>).
/// </summary>
public sealed class ClusterUnavailableException : NodeNomadException
{
    /// <summary>Creates the exception for a 503 answer.</summary>
    /// <param name="title">The problem's title.</param>
    /// <param name="detail">The problem's detail.</param>
    /// <param name="problem">The problem body as sent, or null.</param>
    /// <param name="retryAfter">How long the node asked callers to wait, or null when it did not say.</param>
    /// <param name="innerException">The transport-level error this one was made from, if any.</param>
    public ClusterUnavailableException(
        string? title,
        string? detail,
        ProblemDetails? problem,
        TimeSpan? retryAfter,
        Exception? innerException = null)
        : base(HttpStatusCode.ServiceUnavailable, title, detail, problem, innerException)
    {
        RetryAfter = retryAfter;
    }

    /// <summary>How long the node asked callers to wait (its <c>Retry-After</c> header), or null when it did not say.</summary>
    public TimeSpan? RetryAfter { get; }
}
