namespace NodeNomad.Console.Cluster;

/// <summary>No configured node answered a call.</summary>
public sealed class ClusterUnreachableException : Exception
{
    /// <summary>Creates the exception.</summary>
    public ClusterUnreachableException()
    {
    }

    /// <summary>Creates the exception with a message.</summary>
    public ClusterUnreachableException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with a message and the last node's failure.</summary>
    public ClusterUnreachableException(string message, Exception? innerException)
        : base(message, innerException)
    {
    }
}
