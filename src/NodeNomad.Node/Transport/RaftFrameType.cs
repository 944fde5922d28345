namespace NodeNomad.Node.Transport;

/// <summary>What a frame of a peer stream holds (the byte after the frame's length).</summary>
public enum RaftFrameType : byte
{
    /// <summary>One or more (group, message) pairs, none of them a snapshot.</summary>
    Batch = 1,

    /// <summary>A snapshot message without its data, and the data's length: chunks follow.</summary>
    SnapshotStart = 2,

    /// <summary>The next bytes of the snapshot being sent.</summary>
    SnapshotChunk = 3,

    /// <summary>The SHA-256 of the snapshot's data: the receiver checks it and delivers the message.</summary>
    SnapshotEnd = 4,
}
