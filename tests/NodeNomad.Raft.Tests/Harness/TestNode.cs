using System.Text;
using NodeNomad.Raft;

namespace NodeNomad.Raft.Tests.Harness;

/// <summary>One entry as the state machine applied it.</summary>
internal sealed record AppliedEntry(ulong Index, ulong Term, EntryType Type, string Data)
{
    public string Encode() => $"{Index}:{Term}:{(int)Type}:{Convert.ToBase64String(Encoding.UTF8.GetBytes(Data))}";

    public static AppliedEntry Decode(string line)
    {
        var parts = line.Split(':');
        return new AppliedEntry(
            ulong.Parse(parts[0], System.Globalization.CultureInfo.InvariantCulture),
            ulong.Parse(parts[1], System.Globalization.CultureInfo.InvariantCulture),
            (EntryType)int.Parse(parts[2], System.Globalization.CultureInfo.InvariantCulture),
            Encoding.UTF8.GetString(Convert.FromBase64String(parts[3])));
    }
}

/// <summary>
/// A host of one replica: a durable storage, and a state machine that records every applied entry (so its snapshot
/// is that list). It processes Ready exactly in the documented order.
/// </summary>
internal sealed class TestNode
{
    private readonly Func<RaftConfig> _configFactory;
    private readonly ConfState? _initialMembers;

    public TestNode(ulong id, Func<RaftConfig> configFactory, ConfState? initialMembers)
    {
        Id = id;
        _configFactory = configFactory;
        _initialMembers = initialMembers;
        Raft = new RaftNode(configFactory(), Storage.Bootstrap(initialMembers));
    }

    public ulong Id { get; }

    public RaftNode Raft { get; private set; }

    public MemoryStorage Storage { get; } = new();

    public List<AppliedEntry> Applied { get; } = [];

    public List<ReadState> ReadStates { get; } = [];

    /// <summary>Contexts of reads the replica reported dropped, as text.</summary>
    public List<string> DroppedReads { get; } = [];

    public bool Down { get; set; }

    public ulong AppliedIndex => Applied.Count == 0 ? Storage.Snapshot?.Metadata.Index ?? 0 : Applied[^1].Index;

    /// <summary>Handles every Ready; returns the messages to send.</summary>
    public List<Message> ProcessReady()
    {
        var outgoing = new List<Message>();
        while (Raft.HasReady())
        {
            var ready = Raft.Ready();
            if (ready.Snapshot is { } snapshot)
            {
                Storage.ApplySnapshot(snapshot);
            }

            Storage.Append(ready.Entries);
            if (ready.HardState is { } hardState)
            {
                Storage.HardState = hardState;
            }

            outgoing.AddRange(ready.Messages);

            if (ready.Snapshot is { } restored)
            {
                RestoreStateMachine(restored);
            }

            foreach (var entry in ready.CommittedEntries)
            {
                if (Applied.Count > 0 && entry.Index != Applied[^1].Index + 1)
                {
                    throw new InvalidOperationException($"n{Id} was handed entry {entry.Index} after {Applied[^1].Index}.");
                }

                Applied.Add(new AppliedEntry(entry.Index, entry.Term, entry.Type, Encoding.UTF8.GetString(entry.Data.Span)));
                if (entry.Type == EntryType.ConfChange)
                {
                    Raft.ApplyConfChange(ConfChange.Decode(entry.Data.Span));
                }
            }

            ReadStates.AddRange(ready.ReadStates);
            DroppedReads.AddRange(ready.DroppedReads.Select(context => Encoding.UTF8.GetString(context.Span)));
            Raft.Advance(ready);
        }

        return outgoing;
    }

    /// <summary>Snapshots the state machine at <paramref name="index"/> (at most what was applied) and compacts.</summary>
    public void Compact(ulong index)
    {
        var covered = Applied.Where(entry => entry.Index <= index).ToList();
        var term = covered.Count > 0 ? covered[^1].Term : Storage.Snapshot?.Metadata.Term ?? 0;
        var previous = Storage.Snapshot is null ? [] : DecodeState(Storage.Snapshot.Data.ToArray());
        var data = EncodeState([.. previous, .. covered]);
        var snapshot = new Snapshot(new SnapshotMetadata(index, term, Raft.Status.ConfState), data);
        Raft.Compact(snapshot);
        Storage.Compact(snapshot);
        Applied.RemoveAll(entry => entry.Index <= index);
        SnapshotState = [.. previous, .. covered];
    }

    /// <summary>What the state machine held at its snapshot (entries before <see cref="Applied"/>).</summary>
    public List<AppliedEntry> SnapshotState { get; private set; } = [];

    /// <summary>Every entry this state machine reflects, from index 1 on.</summary>
    public IEnumerable<AppliedEntry> History => SnapshotState.Concat(Applied);

    /// <summary>Loses everything not durable, then starts again from storage (the state machine from the snapshot).</summary>
    public void Restart()
    {
        Applied.Clear();
        ReadStates.Clear();
        DroppedReads.Clear();
        SnapshotState = Storage.Snapshot is null ? [] : DecodeState(Storage.Snapshot.Data.ToArray());
        var config = _configFactory() with { Applied = Storage.Snapshot?.Metadata.Index ?? 0 };
        Raft = new RaftNode(config, Storage.Bootstrap(_initialMembers));
        Down = false;
    }

    private void RestoreStateMachine(Snapshot snapshot)
    {
        Applied.Clear();
        SnapshotState = DecodeState(snapshot.Data.ToArray());
    }

    private static byte[] EncodeState(IEnumerable<AppliedEntry> entries) =>
        Encoding.UTF8.GetBytes(string.Join('\n', entries.Select(entry => entry.Encode())));

    private static List<AppliedEntry> DecodeState(ReadOnlySpan<byte> data)
    {
        var text = Encoding.UTF8.GetString(data);
        return text.Length == 0 ? [] : [.. text.Split('\n').Select(AppliedEntry.Decode)];
    }
}
