namespace NodeNomad.Storage.Marten;

// A stored shape: public for Marten's generated code and its serializer. Renaming a type or property changes the stored format.
/// <summary>
/// Event: the first of each stream generation after the first. It carries every group as compaction left it, so
/// replay needs nothing of the older generations, whose events are deleted.
/// </summary>
public sealed class LogGenerationStarted
{
    /// <summary>The generation this stream is.</summary>
    public long Generation { get; set; }

    /// <summary>Every group's hard state, snapshot point and the entries after the snapshot.</summary>
    public List<GroupRecord> Groups { get; set; } = [];
}
