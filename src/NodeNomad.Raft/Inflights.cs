namespace NodeNomad.Raft;

/// <summary>
/// The sliding window of Append messages in flight to one follower while it is replicated to optimistically:
/// each holds the last index the message carried. Acknowledging an index frees every message up to it.
/// </summary>
internal sealed class Inflights(int capacity)
{
    private readonly Queue<ulong> _lastIndexes = new();

    public int Count => _lastIndexes.Count;

    public bool Full => _lastIndexes.Count >= capacity;

    /// <summary>Records a message whose last entry is <paramref name="lastIndex"/>; indexes are added in increasing order.</summary>
    public void Add(ulong lastIndex)
    {
        if (Full)
        {
            throw new InvalidOperationException("Cannot add to a full inflight window.");
        }

        _lastIndexes.Enqueue(lastIndex);
    }

    /// <summary>Frees every message whose last index is at most <paramref name="index"/>.</summary>
    public void FreeLE(ulong index)
    {
        while (_lastIndexes.Count > 0 && _lastIndexes.Peek() <= index)
        {
            _lastIndexes.Dequeue();
        }
    }

    public void Reset() => _lastIndexes.Clear();
}
