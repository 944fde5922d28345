namespace NodeNomad.Node.Shards;

/// <summary>The shard cannot take writes: its log failed to make a batch durable, or the node is stopping.</summary>
public sealed class ShardUnavailableException : Exception
{
    /// <summary>Creates the exception.</summary>
    public ShardUnavailableException() { }

    /// <summary>Creates the exception with the reason.</summary>
    public ShardUnavailableException(string message) : base(message) { }

    /// <summary>Creates the exception with the reason and the underlying failure.</summary>
    public ShardUnavailableException(string message, Exception innerException) : base(message, innerException) { }
}
