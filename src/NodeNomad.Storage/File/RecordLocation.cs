namespace NodeNomad.Storage;

/// <summary>Where a record lies in the log, for saying where damage is.</summary>
internal readonly record struct RecordLocation(string Path, long Offset)
{
    /// <summary>The error that stops a node whose log is damaged at this record.</summary>
    public LogCorruptedException Corruption(string reason) =>
        LogDamage.Found($"Log segment '{Path}' is damaged at offset {Offset}: {reason}");
}
