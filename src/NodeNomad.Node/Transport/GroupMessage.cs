using NodeNomad.Raft;

namespace NodeNomad.Node.Transport;

/// <summary>A Raft message together with the group it belongs to: the unit the peer transport carries.</summary>
/// <param name="GroupId">The Raft group the message belongs to (0 is the meta group).</param>
/// <param name="Message">The message; its <see cref="Message.To"/> names the replica it goes to.</param>
public readonly record struct GroupMessage(ulong GroupId, Message Message);
