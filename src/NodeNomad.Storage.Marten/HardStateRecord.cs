namespace NodeNomad.Storage.Marten;

// A stored shape: public for Marten's generated code and its serializer. Renaming a type or property changes the stored format.
/// <summary>A stored <see cref="Raft.HardState"/>.</summary>
public sealed class HardStateRecord
{
    /// <summary>The current term.</summary>
    public ulong Term { get; set; }

    /// <summary>The vote in the current term.</summary>
    public ulong Vote { get; set; }

    /// <summary>The commit index.</summary>
    public ulong Commit { get; set; }
}
