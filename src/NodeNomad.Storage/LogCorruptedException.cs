namespace NodeNomad.Storage;

/// <summary>
/// The log holds damaged data somewhere other than its torn tail. The node must not start: continuing would
/// silently drop entries that may have been acknowledged.
/// </summary>
public sealed class LogCorruptedException : Exception
{
    /// <summary>Creates the exception.</summary>
    public LogCorruptedException() { }

    /// <summary>Creates the exception with a message that says where the damage is.</summary>
    public LogCorruptedException(string message) : base(message) { }

    /// <summary>Creates the exception with a message and the error that revealed the damage.</summary>
    public LogCorruptedException(string message, Exception innerException) : base(message, innerException) { }
}
