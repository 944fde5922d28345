namespace NodeNomad.Raft;

/// <summary>What a membership change does.</summary>
public enum ConfChangeType : byte
{
    /// <summary>Add a voter, or promote a learner to voter.</summary>
    AddVoter = 0,

    /// <summary>Add a learner (receives the log, does not vote), or demote a voter.</summary>
    AddLearner = 1,

    /// <summary>Remove a replica.</summary>
    RemoveNode = 2,
}

/// <summary>One membership change: one replica at a time (learners catch up before they are promoted).</summary>
/// <param name="Type">What the change does.</param>
/// <param name="NodeId">The replica it concerns.</param>
/// <param name="Context">Opaque bytes for the host (for example the replica's address).</param>
public sealed record ConfChange(ConfChangeType Type, ulong NodeId, ReadOnlyMemory<byte> Context = default)
{
    /// <summary>The bytes a <see cref="EntryType.ConfChange"/> entry carries for this change.</summary>
    public byte[] Encode() => ConfChangeCodec.Encode(this);

    /// <summary>
    /// Reads the change an <see cref="EntryType.ConfChange"/> entry carries (its <see cref="Entry.Data"/>), so the
    /// host can pass it to <see cref="RaftNode.ApplyConfChange"/> when it applies the entry.
    /// </summary>
    /// <exception cref="FormatException">The bytes are not an encoded change.</exception>
    public static ConfChange Decode(ReadOnlySpan<byte> data) => ConfChangeCodec.Decode(data);
}
