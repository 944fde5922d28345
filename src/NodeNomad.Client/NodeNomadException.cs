using System.Net;
using Refit;

namespace NodeNomad.Client;

/// <summary>
/// A node answered with an error status. The subclasses name the statuses a caller can act on; this base
/// type covers the rest (a 500, a 404 from an endpoint that has no "absent" answer, a proxy's error page).
/// </summary>
public class NodeNomadException : Exception
{
    /// <summary>Creates the exception for an error answer.</summary>
    /// <param name="statusCode">The HTTP status of the answer.</param>
    /// <param name="title">The problem's title, or the reason phrase when the answer had no problem body.</param>
    /// <param name="detail">The problem's detail, if any.</param>
    /// <param name="problem">The problem body as sent, or null when the answer had none.</param>
    /// <param name="innerException">The transport-level error this one was made from, if any.</param>
    public NodeNomadException(
        HttpStatusCode statusCode,
        string? title,
        string? detail,
        ProblemDetails? problem,
        Exception? innerException = null)
        : base(Describe(statusCode, title, detail), innerException)
    {
        StatusCode = statusCode;
        Title = title;
        Detail = detail;
        Problem = problem;
    }

    /// <summary>The HTTP status of the answer.</summary>
    public HttpStatusCode StatusCode { get; }

    /// <summary>The problem's title, or the reason phrase when the answer had no problem body.</summary>
    public string? Title { get; }

    /// <summary>The problem's detail, if any.</summary>
    public string? Detail { get; }

    /// <summary>
    /// The RFC 7807 problem body as the node sent it, extension members included (in
    /// <see cref="ProblemDetails.Extensions"/>); null when the answer had no JSON problem body.
    /// </summary>
    public ProblemDetails? Problem { get; }

    private static string Describe(HttpStatusCode statusCode, string? title, string? detail)
    {
        var head = $"NodeNomad answered {(int)statusCode} {title ?? statusCode.ToString()}";
        return string.IsNullOrWhiteSpace(detail) ? $"{head}." : $"{head}: {detail}";
    }
}
