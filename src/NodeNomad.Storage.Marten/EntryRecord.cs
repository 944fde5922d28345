using NodeNomad.Raft;

namespace NodeNomad.Storage.Marten;

// A stored shape: public for Marten's generated code and its serializer. Renaming a type or property changes the stored format.
/// <summary>A stored <see cref="Entry"/>.</summary>
public sealed class EntryRecord
{
    /// <summary>The entry's index.</summary>
    public ulong Index { get; set; }

    /// <summary>The entry's term.</summary>
    public ulong Term { get; set; }

    /// <summary>The entry's type.</summary>
    public EntryType Type { get; set; }

    /// <summary>The entry's data.</summary>
    public byte[] Data { get; set; } = [];
}
