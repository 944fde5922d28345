using NodeNomad.Node.Transport;
using NodeNomad.Raft;

namespace NodeNomad.Node.Tests.Transport;

/// <summary>Random Raft messages with every field set, from a seeded generator, and a field-by-field comparison.</summary>
internal static class RandomMessages
{
    public static readonly MessageType[] AllTypes = Enum.GetValues<MessageType>();

    /// <summary>The seed of a randomised test: NODENOMAD_SEED when set (to replay a failure), else a fresh one.</summary>
    public static int Seed(ITestOutputHelper output, Type test)
    {
        var seed = Environment.GetEnvironmentVariable("NODENOMAD_SEED") is { Length: > 0 } fixedSeed
            ? int.Parse(fixedSeed, System.Globalization.CultureInfo.InvariantCulture)
            : Random.Shared.Next();
        output.WriteLine($"seed {seed}; replay with: NODENOMAD_SEED={seed} dotnet test --project tests/NodeNomad.Node.Tests --filter-class {test.FullName}");
        return seed;
    }

    public static GroupMessage Next(Random random, MessageType type, int maxDataBytes = 300) =>
        new(Number(random), Message(random, type, maxDataBytes));

    public static Message Message(Random random, MessageType type, int maxDataBytes = 300) => new()
    {
        Type = type,
        From = Number(random),
        To = Number(random),
        Term = Number(random),
        LogTerm = Number(random),
        Index = Number(random),
        Commit = Number(random),
        Reject = random.Next(2) == 0,
        RejectHint = Number(random),
        Timestamp = (long)Number(random),
        Context = Bytes(random, random.Next(3) == 0 ? 0 : random.Next(40)),
        Entries = Enumerable.Range(0, random.Next(4) == 0 ? 0 : random.Next(1, 12))
            .Select(_ => new Entry(Number(random), Number(random), random.Next(2) == 0 ? EntryType.Normal : EntryType.ConfChange,
                Bytes(random, random.Next(5) == 0 ? 0 : random.Next(maxDataBytes))))
            .ToArray(),
        Snapshot = type == MessageType.Snapshot
            ? new Snapshot(
                new SnapshotMetadata(Number(random), Number(random), new ConfState(Ids(random), Ids(random), Ids(random))),
                Bytes(random, random.Next(3) == 0 ? 0 : random.Next(maxDataBytes * 10)))
            : null,
    };

    /// <summary>Numbers at the varint boundaries as often as anywhere else.</summary>
    public static ulong Number(Random random) => random.Next(6) switch
    {
        0 => 0,
        1 => (ulong)random.Next(1, 128),
        2 => (1UL << (7 * random.Next(1, 10))) - (ulong)random.Next(0, 2),
        3 => ulong.MaxValue - (ulong)random.Next(0, 3),
        _ => (ulong)random.NextInt64() ^ ((ulong)random.Next(2) << 63),
    };

    public static byte[] Bytes(Random random, int length)
    {
        var bytes = new byte[length];
        random.NextBytes(bytes);
        return bytes;
    }

    private static ulong[] Ids(Random random) => Enumerable.Range(0, random.Next(6)).Select(_ => Number(random)).ToArray();

    public static void ShouldBeSameAs(this GroupMessage actual, GroupMessage expected, string context = "")
    {
        actual.GroupId.ShouldBe(expected.GroupId, context);
        var (a, e) = (actual.Message, expected.Message);
        a.Type.ShouldBe(e.Type, context);
        a.From.ShouldBe(e.From, context);
        a.To.ShouldBe(e.To, context);
        a.Term.ShouldBe(e.Term, context);
        a.LogTerm.ShouldBe(e.LogTerm, context);
        a.Index.ShouldBe(e.Index, context);
        a.Commit.ShouldBe(e.Commit, context);
        a.Reject.ShouldBe(e.Reject, context);
        a.RejectHint.ShouldBe(e.RejectHint, context);
        a.Timestamp.ShouldBe(e.Timestamp, context);
        a.Context.ToArray().ShouldBe(e.Context.ToArray(), context);
        a.Entries.Count.ShouldBe(e.Entries.Count, context);
        for (int i = 0; i < e.Entries.Count; i++)
        {
            a.Entries[i].SameAs(e.Entries[i]).ShouldBeTrue($"{context} entry {i}: {a.Entries[i]} vs {e.Entries[i]}");
        }

        if (e.Snapshot is null)
        {
            a.Snapshot.ShouldBeNull(context);
            return;
        }

        a.Snapshot.ShouldNotBeNull(context);
        a.Snapshot.Metadata.Index.ShouldBe(e.Snapshot.Metadata.Index, context);
        a.Snapshot.Metadata.Term.ShouldBe(e.Snapshot.Metadata.Term, context);
        a.Snapshot.Metadata.ConfState.SameMembers(e.Snapshot.Metadata.ConfState).ShouldBeTrue(context);
        a.Snapshot.Data.ToArray().AsSpan().SequenceEqual(e.Snapshot.Data.ToArray()).ShouldBeTrue($"{context} snapshot data");
    }
}
