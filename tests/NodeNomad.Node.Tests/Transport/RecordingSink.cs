using System.Collections.Concurrent;
using System.Diagnostics;
using NodeNomad.Node.Transport;
using NodeNomad.Raft;

namespace NodeNomad.Node.Tests.Transport;

/// <summary>Keeps every delivered message in arrival order, with when it arrived.</summary>
internal sealed class RecordingSink : IRaftMessageSink
{
    private readonly ConcurrentQueue<GroupMessage> _messages = new();
    private readonly ConcurrentDictionary<ulong, long> _arrivals = new();

    public IReadOnlyList<GroupMessage> Messages => [.. _messages];

    /// <summary>When the first message of each group arrived, a <see cref="Stopwatch"/> timestamp.</summary>
    public IReadOnlyDictionary<ulong, long> FirstArrivals => _arrivals;

    public int Count => _messages.Count;

    public void Deliver(ulong groupId, Message message)
    {
        _arrivals.TryAdd(groupId, Stopwatch.GetTimestamp());
        _messages.Enqueue(new GroupMessage(groupId, message));
    }

    public Task WaitForCountAsync(int count, TimeSpan? timeout = null) =>
        Eventually.TrueAsync(() => _messages.Count >= count, $"{count} messages delivered (got {_messages.Count})", timeout);
}
