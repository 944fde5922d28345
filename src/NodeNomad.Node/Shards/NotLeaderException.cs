namespace NodeNomad.Node.Shards;

/// <summary>This replica does not lead its group; <see cref="Leader"/> does, when one is known.</summary>
public sealed class NotLeaderException : Exception
{
    /// <summary>Creates the exception.</summary>
    public NotLeaderException() { }

    /// <summary>Creates the exception with a reason.</summary>
    public NotLeaderException(string message) : base(message) { }

    /// <summary>Creates the exception with a reason and its cause.</summary>
    public NotLeaderException(string message, Exception innerException) : base(message, innerException) { }

    /// <summary>Creates the exception naming the leader's node id, if known.</summary>
    public static NotLeaderException Naming(string? leaderId) =>
        new(leaderId is null ? "No leader is known: an election is in progress." : $"{leaderId} leads the group.") { LeaderId = leaderId };

    /// <summary>The node that leads, or null while none is known.</summary>
    public string? LeaderId { get; private init; }
}
