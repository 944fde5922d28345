namespace NodeNomad.Node.Transport;

/// <summary>
/// Decodes a received snapshot's data off the node's loop, before the snapshot is delivered, so that installing it
/// does not stall every other group of the node for as long as decoding takes.
/// </summary>
public interface ISnapshotPreparer
{
    /// <summary>The decoded state of <paramref name="data"/> (left in <see cref="Raft.SnapshotData.Prepared"/>), or null when it is not of a kind this preparer decodes.</summary>
    object? Prepare(Raft.SnapshotData data);
}
