namespace NodeNomad.Storage.Marten;

// A stored shape: public for Marten's generated code and its serializer. Renaming a type or property changes the stored format.
/// <summary>Document: which stream generation holds a node's log; changed in the transaction that starts the generation.</summary>
public sealed class NodeLogHead
{
    /// <summary>The node id.</summary>
    public string Id { get; set; } = "";

    /// <summary>The current stream generation (0 until the first compaction).</summary>
    public long Generation { get; set; }
}
