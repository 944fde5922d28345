namespace NodeNomad.Storage.Marten;

// A stored shape: public for Marten's generated code and its serializer. Renaming a type or property changes the stored format.
/// <summary>
/// Document: a group's latest snapshot, one per node and group, replaced in the same transaction as the event that
/// records it, so the document and the log always agree.
/// </summary>
/// <remarks>
/// The document holds the snapshot's metadata; its bytes are rows of a bytea table (<see cref="SnapshotChunks"/>),
/// written and read a row at a time. Documents written before that table existed carry the bytes in
/// <see cref="Data"/> (base64 in the jsonb) and no <see cref="Sha256"/>; they are still read. Every document written
/// since has a <see cref="Sha256"/>, even an empty snapshot's (0 rows), so a document that lost its row count reads
/// as damaged rather than as an empty snapshot.
/// </remarks>
public sealed class GroupSnapshotDocument
{
    /// <summary><c>{nodeId}/{groupId}</c>.</summary>
    public string Id { get; set; } = "";

    /// <summary>The node whose snapshot this is.</summary>
    public string NodeId { get; set; } = "";

    /// <summary>The Raft group.</summary>
    public ulong GroupId { get; set; }

    /// <summary>The snapshot's index.</summary>
    public ulong Index { get; set; }

    /// <summary>The snapshot's term.</summary>
    public ulong Term { get; set; }

    /// <summary>The group's voters as of the snapshot.</summary>
    public List<ulong> Voters { get; set; } = [];

    /// <summary>The group's learners as of the snapshot.</summary>
    public List<ulong> Learners { get; set; } = [];

    /// <summary>The outgoing voters of a joint configuration, as of the snapshot.</summary>
    public List<ulong> VotersOutgoing { get; set; } = [];

    /// <summary>The serialized state machine, in documents written before the chunk table; empty otherwise.</summary>
    public byte[] Data { get; set; } = [];

    /// <summary>How many rows of the chunk table hold the bytes.</summary>
    public int Chunks { get; set; }

    /// <summary>How many bytes the snapshot holds.</summary>
    public long Length { get; set; }

    /// <summary>The SHA-256 of the bytes, lowercase hex, checked when they are read back; empty with <see cref="Data"/>.</summary>
    public string Sha256 { get; set; } = "";
}
