namespace NodeNomad.Node.Transport;

/// <summary>
/// What <see cref="PeerTransport"/> tells the Raft runtime about messages it could not deliver, so the runtime can
/// step the matching local messages (<c>Unreachable</c>, <c>SnapshotStatus</c>) into the groups. Called from the
/// transport's background pumps, and also from inside <see cref="PeerTransport.Send"/>; implementations must not
/// block and must not step Raft directly (queue it for the runtime's loop).
/// </summary>
public interface IPeerTransportFeedback
{
    /// <summary>A message of group <paramref name="groupId"/> to <paramref name="peerId"/> was lost.</summary>
    void Unreachable(ulong groupId, ulong peerId);

    /// <summary>
    /// A snapshot of group <paramref name="groupId"/> was written whole to <paramref name="peerId"/>'s stream and
    /// flushed (<paramref name="ok"/>), or could not be sent.
    /// </summary>
    void SnapshotStatus(ulong groupId, ulong peerId, bool ok);
}
