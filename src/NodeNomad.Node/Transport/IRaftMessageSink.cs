using NodeNomad.Raft;

namespace NodeNomad.Node.Transport;

/// <summary>Where the receiving side of the peer transport hands each message that arrived from a peer.</summary>
public interface IRaftMessageSink
{
    /// <summary>
    /// Takes a message for the node's Raft runtime. Called on a request thread, once per message in the order
    /// the peer sent them; it must not block (queue the message for the runtime's loop, or drop it: Raft
    /// tolerates loss).
    /// </summary>
    void Deliver(ulong groupId, Message message);
}
