using NodeNomad.Raft;

namespace NodeNomad.Storage.Tests;

/// <summary>What the log must hold: the contract applied to lists in memory.</summary>
internal sealed class LogModel
{
    public Dictionary<ulong, ModelGroup> Groups { get; } = [];

    public ModelGroup Group(ulong groupId) => Groups.GetValueOrDefault(groupId) ?? new ModelGroup(groupId);

    public LogModel Clone()
    {
        var clone = new LogModel();
        foreach ((ulong id, ModelGroup group) in Groups)
        {
            clone.Groups[id] = group.Clone();
        }

        return clone;
    }

    public void Save(LogBatch batch)
    {
        foreach (ulong groupId in batch.Dropped)
        {
            _ = Groups.Remove(groupId);
        }

        foreach (GroupWrite write in batch.Groups)
        {
            if (write.HardState is null && write.Snapshot is null && write.Entries.Count == 0)
            {
                continue;
            }

            if (!Groups.TryGetValue(write.GroupId, out ModelGroup? group))
            {
                Groups[write.GroupId] = group = new ModelGroup(write.GroupId);
            }

            group.HardState = write.HardState ?? group.HardState;
            if (write.Snapshot is not null)
            {
                group.Snapshot = write.Snapshot;
                group.Entries.Clear();
            }

            foreach (Entry entry in write.Entries)
            {
                _ = group.Entries.RemoveAll(e => e.Index >= entry.Index);
                group.Entries.Add(entry);
            }
        }
    }

    public void Compact(ulong groupId, Snapshot snapshot)
    {
        ModelGroup group = Groups[groupId];
        group.Snapshot = snapshot;
        _ = group.Entries.RemoveAll(e => e.Index <= snapshot.Metadata.Index);
    }

    public void ShouldMatch(RecoveredLog recovered)
    {
        recovered.Groups.Keys.Order().ShouldBe(Groups.Keys.Order());
        foreach (ModelGroup group in Groups.Values)
        {
            RecoveredGroup actual = recovered.Groups[group.Id];
            HardState hardState = group.HardState.GetValueOrDefault();
            actual.HardState.ShouldBe(hardState with { Commit = Math.Max(hardState.Commit, group.SnapshotIndex) }, $"group {group.Id}");
            if (group.Snapshot is null)
            {
                actual.Snapshot.ShouldBeNull($"group {group.Id}");
            }
            else
            {
                actual.Snapshot.ShouldBeSnapshot(group.Snapshot);
            }

            actual.Entries.ShouldBeEntries(group.Entries);
        }
    }
}

internal sealed class ModelGroup(ulong id)
{
    public ulong Id { get; } = id;

    public HardState? HardState { get; set; }

    public Snapshot? Snapshot { get; set; }

    public List<Entry> Entries { get; private init; } = [];

    public ulong SnapshotIndex => Snapshot?.Metadata.Index ?? 0;

    public ulong LastIndex => Entries.Count > 0 ? Entries[^1].Index : SnapshotIndex;

    public ModelGroup Clone() => new(Id) { HardState = HardState, Snapshot = Snapshot, Entries = [.. Entries] };
}

/// <summary>The random pieces of the randomized log tests, and their seed.</summary>
internal static class RandomLog
{
    /// <summary>The seed (NODENOMAD_SEED when set, else a new one) and the command that replays <paramref name="test"/> with it.</summary>
    public static (int Seed, string Replay) Seed(Type test)
    {
        int seed = Environment.GetEnvironmentVariable("NODENOMAD_SEED") is { Length: > 0 } fixedSeed
            ? int.Parse(fixedSeed, System.Globalization.CultureInfo.InvariantCulture)
            : Random.Shared.Next();
        return (seed, $"NODENOMAD_SEED={seed} dotnet test --project tests/NodeNomad.Storage.Tests --filter-class {test.FullName}");
    }

    /// <summary>An entry of up to <paramref name="maxBytes"/> random bytes, now and then a membership change.</summary>
    public static Entry Entry(Random random, ulong index, ulong term, int maxBytes)
    {
        byte[] data = new byte[random.Next(maxBytes)];
        random.NextBytes(data);
        return new Entry(index, term, random.Next(10) == 0 ? EntryType.ConfChange : EntryType.Normal, data);
    }

    /// <summary>A snapshot of random bytes with one to three voters and, half the time, a learner.</summary>
    public static Snapshot Snapshot(Random random, ulong index, ulong term)
    {
        byte[] data = new byte[random.Next(300)];
        random.NextBytes(data);
        ulong[] voters = [.. Enumerable.Range(1, random.Next(1, 4)).Select(i => (ulong)i)];
        return new Snapshot(new SnapshotMetadata(index, term, new ConfState(voters, random.Next(2) == 0 ? [] : [9], [])), data);
    }
}
