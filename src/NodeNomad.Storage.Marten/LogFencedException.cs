namespace NodeNomad.Storage.Marten;

/// <summary>
/// Another process wrote to this node's log since this one read it: it owns the node identity now. This process
/// must stop; it refuses every further write rather than interleave its batches with the other's.
/// </summary>
public sealed class LogFencedException : InvalidOperationException
{
    /// <summary>Creates the exception.</summary>
    public LogFencedException() { }

    /// <summary>Creates the exception with a message that names the node identity.</summary>
    public LogFencedException(string message) : base(message) { }

    /// <summary>Creates the exception with a message and the concurrency failure that revealed the other writer.</summary>
    public LogFencedException(string message, Exception innerException) : base(message, innerException) { }
}
