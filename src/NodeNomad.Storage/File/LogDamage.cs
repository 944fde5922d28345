namespace NodeNomad.Storage;

/// <summary>The error that stops a node whose log or snapshots are damaged.</summary>
internal static class LogDamage
{
    /// <summary>An error that says what is damaged and where, and why the node does not start.</summary>
    public static LogCorruptedException Found(string damage, Exception? innerException = null)
    {
        string message = $"{damage}. The node refuses to start rather than drop entries that may have been acknowledged; "
            + "restore the data directory or rebuild this replica from its group.";
        return innerException is null ? new LogCorruptedException(message) : new LogCorruptedException(message, innerException);
    }
}
