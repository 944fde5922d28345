namespace NodeNomad.Storage.Marten;

// A stored shape: public for Marten's generated code and its serializer. Renaming a type or property changes the stored format.
/// <summary>
/// Document: a group's latest snapshot, one per node and group, replaced in the same transaction as the event that
/// records it, so the document and the log always agree.
/// </summary>
/// <remarks>
/// The data is a byte array in a jsonb document, so it travels base64-encoded (a third larger) and is parsed whole.
/// That is fine for the small state machines of today; snapshots of many megabytes would belong in a bytea table
/// or PostgreSQL large objects, streamed rather than held in one JSON value.
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

    /// <summary>The serialized state machine.</summary>
    public byte[] Data { get; set; } = [];
}
