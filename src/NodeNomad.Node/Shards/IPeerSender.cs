using NodeNomad.Raft;

namespace NodeNomad.Node.Shards;

/// <summary>Hands Raft messages to the transport; never blocks, may drop (Raft retransmits).</summary>
public interface IPeerSender
{
    /// <summary>Queues <paramref name="message"/> for its recipient.</summary>
    void Send(ulong groupId, Message message);
}
