using System.Collections.Concurrent;
using NodeNomad.Node.Transport;
using NodeNomad.Raft;

namespace NodeNomad.Node.Tests.Transport;

/// <summary>Keeps every delivered message in arrival order.</summary>
internal sealed class RecordingSink : IRaftMessageSink
{
    private readonly ConcurrentQueue<GroupMessage> _messages = new();

    public IReadOnlyList<GroupMessage> Messages => [.. _messages];

    public int Count => _messages.Count;

    public void Deliver(ulong groupId, Message message) => _messages.Enqueue(new GroupMessage(groupId, message));

    public Task WaitForCountAsync(int count, TimeSpan? timeout = null) =>
        Eventually.TrueAsync(() => _messages.Count >= count, $"{count} messages delivered (got {_messages.Count})", timeout);
}
