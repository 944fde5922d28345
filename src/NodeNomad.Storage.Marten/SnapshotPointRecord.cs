namespace NodeNomad.Storage.Marten;

// A stored shape: public for Marten's generated code and its serializer. Renaming a type or property changes the stored format.
/// <summary>Where a snapshot stands in the log.</summary>
public sealed class SnapshotPointRecord
{
    /// <summary>The snapshot's index.</summary>
    public ulong Index { get; set; }

    /// <summary>The term of the entry at the index.</summary>
    public ulong Term { get; set; }
}
