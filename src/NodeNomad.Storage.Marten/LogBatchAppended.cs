namespace NodeNomad.Storage.Marten;

// A stored shape: public for Marten's generated code and its serializer. Renaming a type or property changes the stored format.
/// <summary>Event: one <see cref="IRaftLog.SaveAsync"/> batch, every group it wrote.</summary>
public sealed class LogBatchAppended
{
    /// <summary>One record per group the batch wrote.</summary>
    public List<GroupRecord> Groups { get; set; } = [];
}
