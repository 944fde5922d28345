using NodeNomad.Raft;

namespace NodeNomad.Raft.Tests.Harness;

/// <summary>What a host keeps durable for one replica: hard state, latest snapshot, entries after it.</summary>
internal sealed class MemoryStorage
{
    private readonly List<Entry> _entries = [];

    public HardState HardState { get; set; }

    public Snapshot? Snapshot { get; private set; }

    public IReadOnlyList<Entry> Entries => _entries;

    public ulong FirstIndex => (Snapshot?.Metadata.Index ?? 0) + 1;

    public ulong LastIndex => FirstIndex - 1 + (ulong)_entries.Count;

    /// <summary>Writes entries, replacing everything from the first one's index on.</summary>
    public void Append(IReadOnlyList<Entry> entries)
    {
        if (entries.Count == 0)
        {
            return;
        }

        var first = entries[0].Index;
        if (first < FirstIndex || first > LastIndex + 1)
        {
            throw new InvalidOperationException($"Storage cannot append at {first}: holds [{FirstIndex}, {LastIndex}].");
        }

        var keep = (int)(first - FirstIndex);
        _entries.RemoveRange(keep, _entries.Count - keep);
        _entries.AddRange(entries);
    }

    /// <summary>Installs a snapshot received from the leader: it replaces the whole log.</summary>
    public void ApplySnapshot(Snapshot snapshot)
    {
        Snapshot = snapshot;
        _entries.Clear();
    }

    /// <summary>Keeps a locally taken snapshot and drops the entries it covers.</summary>
    public void Compact(Snapshot snapshot)
    {
        var drop = (int)Math.Min((ulong)_entries.Count, snapshot.Metadata.Index - FirstIndex + 1);
        _entries.RemoveRange(0, drop);
        Snapshot = snapshot;
    }

    public RaftBootstrap Bootstrap(ConfState? initialMembers) => new(HardState, Snapshot, [.. _entries], initialMembers);
}
