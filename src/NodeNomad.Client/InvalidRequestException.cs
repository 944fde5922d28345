using System.Net;
using Refit;

namespace NodeNomad.Client;

/// <summary>
/// The node refused the request as it was written: 400 (an empty or too long key, a bad time to live,
/// malformed JSON) or 413 (a value or body over the size limit). Sending it again will not help.
/// </summary>
public sealed class InvalidRequestException : NodeNomadException
{
    /// <summary>Creates the exception for a 400 or 413 answer.</summary>
    /// <param name="statusCode">400 or 413.</param>
    /// <param name="title">The problem's title.</param>
    /// <param name="detail">The problem's detail, which usually names the offending field.</param>
    /// <param name="problem">The problem body as sent, or null.</param>
    /// <param name="innerException">The transport-level error this one was made from, if any.</param>
    public InvalidRequestException(
        HttpStatusCode statusCode,
        string? title,
        string? detail,
        ProblemDetails? problem,
        Exception? innerException = null)
        : base(statusCode, title, detail, problem, innerException)
    {
    }
}
