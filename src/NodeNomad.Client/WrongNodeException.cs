using System.Net;
using Refit;

namespace NodeNomad.Client;

/// <summary>
/// The node does not serve this key right now (421 Misdirected Request), typically because it is not the
/// leader of the key's shard. Send the request to <see cref="LeaderUrl"/> when it is known.
/// </summary>
public sealed class WrongNodeException : NodeNomadException
{
    /// <summary>Creates the exception for a 421 answer.</summary>
    /// <param name="title">The problem's title.</param>
    /// <param name="detail">The problem's detail.</param>
    /// <param name="problem">The problem body as sent, or null.</param>
    /// <param name="leaderUrl">Where the node says to go instead, or null when it does not know.</param>
    /// <param name="innerException">The transport-level error this one was made from, if any.</param>
    public WrongNodeException(
        string? title,
        string? detail,
        ProblemDetails? problem,
        Uri? leaderUrl,
        Exception? innerException = null)
        : base(HttpStatusCode.MisdirectedRequest, title, detail, problem, innerException)
    {
        LeaderUrl = leaderUrl;
    }

    /// <summary>
    /// The client URL of the node to ask instead (the problem's <c>leaderUrl</c> member); null when the node
    /// does not know one, for example during an election.
    /// </summary>
    public Uri? LeaderUrl { get; }
}
