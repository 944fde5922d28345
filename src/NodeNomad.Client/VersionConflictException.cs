using System.Net;
using Refit;

namespace NodeNomad.Client;

/// <summary>
/// A compare-and-set found the key at another version than the expected one (409); nothing was written.
/// Read the key again, decide again, and retry with <see cref="CurrentVersion"/>.
/// </summary>
public sealed class VersionConflictException : NodeNomadException
{
    /// <summary>Creates the exception for a 409 answer.</summary>
    /// <param name="title">The problem's title.</param>
    /// <param name="detail">The problem's detail.</param>
    /// <param name="problem">The problem body as sent, or null.</param>
    /// <param name="currentVersion">The key's version when the node checked; null when the key does not exist.</param>
    /// <param name="innerException">The transport-level error this one was made from, if any.</param>
    public VersionConflictException(
        string? title,
        string? detail,
        ProblemDetails? problem,
        long? currentVersion,
        Exception? innerException = null)
        : base(HttpStatusCode.Conflict, title, detail, problem, innerException)
    {
        CurrentVersion = currentVersion;
    }

    /// <summary>
    /// The key's version when the node checked (the problem's <c>currentVersion</c> member); null when the key
    /// does not exist or the node did not say.
    /// </summary>
    public long? CurrentVersion { get; }
}
