namespace NodeNomad.Storage;

/// <summary>Where a record lies in the log, for saying where damage is.</summary>
internal readonly record struct RecordLocation(string Path, long Offset)
{
    /// <summary>The error that stops a node whose log is damaged at this record.</summary>
    public LogCorruptedException Corruption(string reason) =>
        new($"Log segment '{Path}' is damaged at offset {Offset}: {reason}. The node refuses to start rather than drop "
            + "entries that may have been acknowledged; restore the data directory or rebuild this replica from its group.");
}
