namespace NodeNomad.Raft;

/// <summary>
/// ReadIndex requests a leader is confirming (<see cref="ReadOnlyOption.Safe"/>): each records the commit index at
/// the time it arrived and the voters that acknowledged a heartbeat carrying its context since. Once a majority
/// has, the leader was still leader when the request arrived, so the recorded index covers every write that
/// completed before the read began. A later request's confirmation confirms every earlier one too.
/// </summary>
internal sealed class ReadOnlyQueue
{
    private readonly List<PendingRead> _queue = [];

    public int Count => _queue.Count;

    /// <summary>Queues a request; a duplicate context is ignored (its first request answers for it).</summary>
    public void Add(ulong index, Message request)
    {
        if (Find(request.Context.Span) is not null)
        {
            return;
        }

        _queue.Add(new PendingRead(index, request));
    }

    /// <summary>Records an acknowledgement of <paramref name="context"/> by <paramref name="from"/>; null if no such request is pending.</summary>
    public IReadOnlyDictionary<ulong, bool>? Acknowledge(ulong from, ReadOnlySpan<byte> context)
    {
        var read = Find(context);
        if (read is null)
        {
            return null;
        }

        read.Acks[from] = true;
        return read.Acks;
    }

    /// <summary>Removes and returns every request up to and including the one with <paramref name="context"/>.</summary>
    public List<PendingRead> Release(ReadOnlySpan<byte> context)
    {
        var position = -1;
        for (var i = 0; i < _queue.Count; i++)
        {
            if (_queue[i].Request.Context.Span.SequenceEqual(context))
            {
                position = i;
                break;
            }
        }

        if (position < 0)
        {
            return [];
        }

        var released = _queue.GetRange(0, position + 1);
        _queue.RemoveRange(0, position + 1);
        return released;
    }

    /// <summary>The newest pending context: a heartbeat carrying it confirms all pending requests.</summary>
    public ReadOnlyMemory<byte> LastContext => _queue.Count == 0 ? ReadOnlyMemory<byte>.Empty : _queue[^1].Request.Context;

    /// <summary>Removes and returns every pending request, oldest first.</summary>
    public List<Message> TakeAll()
    {
        var requests = _queue.Select(read => read.Request).ToList();
        _queue.Clear();
        return requests;
    }

    private PendingRead? Find(ReadOnlySpan<byte> context)
    {
        foreach (var read in _queue)
        {
            if (read.Request.Context.Span.SequenceEqual(context))
            {
                return read;
            }
        }

        return null;
    }

    internal sealed class PendingRead(ulong index, Message request)
    {
        public ulong Index { get; } = index;

        public Message Request { get; } = request;

        public Dictionary<ulong, bool> Acks { get; } = [];
    }
}
