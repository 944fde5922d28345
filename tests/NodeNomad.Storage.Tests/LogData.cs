using System.Text;
using NodeNomad.Raft;

namespace NodeNomad.Storage.Tests;

/// <summary>Builders for the entries, snapshots and batches the tests write, and assertions on what they read back.</summary>
internal static class LogData
{
    /// <summary>A command entry whose data names its index and term, so a mixed-up entry shows in a failure.</summary>
    public static Entry E(ulong index, ulong term) => Entry.Command(index, term, Encoding.UTF8.GetBytes($"i{index}t{term}"));

    /// <summary>Command entries <paramref name="from"/> to <paramref name="to"/>, all in <paramref name="term"/>.</summary>
    public static Entry[] Es(ulong from, ulong to, ulong term) =>
        [.. Enumerable.Range(0, (int)(to - from + 1)).Select(i => E(from + (ulong)i, term))];

    /// <summary>A command entry with <paramref name="size"/> bytes of data, to fill segments quickly.</summary>
    public static Entry Big(ulong index, ulong term, int size = 300) =>
        Entry.Command(index, term, Enumerable.Range(0, size).Select(i => (byte)(index * 31 + term + (ulong)i)).ToArray());

    public static Snapshot Snap(ulong index, ulong term) =>
        new(new SnapshotMetadata(index, term, new ConfState([1, 2, 3], [4], [])), Encoding.UTF8.GetBytes($"state as of {index}/{term}"));

    /// <summary>A snapshot whose data is <paramref name="size"/> bytes, to see the space a snapshot takes.</summary>
    public static Snapshot BigSnap(ulong index, ulong term, int size) =>
        new(new SnapshotMetadata(index, term, new ConfState([1, 2, 3], [], [])), Enumerable.Range(0, size).Select(i => (byte)i).ToArray());

    public static LogBatch Batch(params GroupWrite[] writes) => new(writes);

    /// <summary>A batch that drops <paramref name="groupIds"/> and writes nothing.</summary>
    public static LogBatch Drop(params ulong[] groupIds) => new([]) { Dropped = groupIds };

    public static GroupWrite Install(ulong groupId, Snapshot snapshot, params Entry[] entries) => new(groupId, null, snapshot, entries);

    /// <summary>The bytes the log writes for a batch of <paramref name="writes"/>: a sound record frame.</summary>
    public static byte[] FramedBatch(params GroupWrite[] writes)
    {
        var record = new BatchRecord([.. writes.Select(w => new GroupRecord(w.GroupId, w.HardState, null, w.Entries))]);
        byte[] framed = new byte[WalRecordCodec.FramedSize(record)];
        WalRecordCodec.WriteFramed(record, framed);
        return framed;
    }

    public static void ShouldBeEntries(this IReadOnlyList<Entry> actual, params IEnumerable<Entry> expected) =>
        actual.Select(Describe).ShouldBe(expected.Select(Describe));

    public static void ShouldBeSnapshot(this Snapshot? actual, Snapshot expected)
    {
        actual.ShouldNotBeNull();
        actual.Metadata.Index.ShouldBe(expected.Metadata.Index);
        actual.Metadata.Term.ShouldBe(expected.Metadata.Term);
        actual.Metadata.ConfState.SameMembers(expected.Metadata.ConfState).ShouldBeTrue("the conf state changed");
        actual.Data.ToArray().ShouldBe(expected.Data.ToArray());
    }

    // Index, term, type, and the data's length and CRC: short enough to read in a failure, distinct enough to tell entries apart.
    private static string Describe(Entry e) => $"{e.Index}/{e.Term}/{e.Type}/{e.Data.Length}:{Crc32C.Compute(e.Data.Span):x8}";
}
