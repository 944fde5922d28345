using NodeNomad.Raft;

namespace NodeNomad.Node.Shards;

/// <summary>Hands Raft messages to the transport; never blocks, may drop (Raft retransmits).</summary>
public interface IPeerSender
{
    /// <summary>Queues <paramref name="message"/> for its recipient.</summary>
    void Send(ulong groupId, Message message);

    /// <summary>Where each peer replica's peer port is, as the cluster map and the configuration say.</summary>
    void SetPeers(IReadOnlyDictionary<ulong, Uri> peers);
}
