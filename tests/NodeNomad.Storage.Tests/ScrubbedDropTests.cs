using System.Text;
using NodeNomad.Raft;
using static NodeNomad.Storage.Tests.LogData;

namespace NodeNomad.Storage.Tests;

/// <summary>
/// Nothing of a dropped group stays on disk: every kept segment that held its bytes is rewritten without them, the
/// segment it shared with live groups included, while what the live groups wrote comes back whole. A crash part-way
/// through the rewrites leaves a log that still recovers the group as dropped.
/// </summary>
public sealed class ScrubbedDropTests : FileLogTest
{
    public ScrubbedDropTests() => Options = new FileRaftLogOptions { SegmentBytes = 4096 };

    /// <summary>An entry whose data carries <paramref name="marker"/>, so that a search of the files finds any copy of it.</summary>
    private static Entry Marked(ulong index, ulong term, string marker) =>
        Entry.Command(index, term, Encoding.UTF8.GetBytes($"{marker}:{index}:{new string('v', 200)}"));

    /// <summary>The files of the data directory (the lock aside) that hold <paramref name="marker"/>'s bytes.</summary>
    private List<string> FilesHolding(string marker)
    {
        byte[] needle = Encoding.UTF8.GetBytes(marker);
        return [.. Directory.GetFiles(DataDirectory, "*", SearchOption.AllDirectories)
            .Where(path => Path.GetFileName(path) != "LOCK")
            .Where(path => ReadShared(path).AsSpan().IndexOf(needle) >= 0)
            .Select(path => Path.GetRelativePath(DataDirectory, path))];
    }

    private static byte[] ReadShared(string path)
    {
        using var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
        byte[] content = new byte[file.Length];
        file.ReadExactly(content);
        return content;
    }

    /// <summary>Writes groups 1 (entries marked "gone") and 2 (marked "kept") in the same batches over several segments.</summary>
    private async Task<(FileRaftLog Log, ulong Last)> TwoGroupsOverSegmentsAsync()
    {
        (FileRaftLog log, _) = await StartAsync();
        ulong last = 0;
        while (Segments.Length < 4)
        {
            last++;
            await log.SaveAsync(Batch(
                GroupWrite.Of(1, new HardState(1, 1, last), Marked(last, 1, "gone")),
                GroupWrite.Of(2, new HardState(1, 2, last), Marked(last, 1, "kept"))), Ct);
        }

        return (log, last);
    }

    [Fact]
    public async Task a_dropped_group_leaves_no_byte_of_its_entries_in_any_segment_and_the_other_groups_are_whole()
    {
        (FileRaftLog log, ulong last) = await TwoGroupsOverSegmentsAsync();
        await log.CompactAsync(1, Snap(2, 1), Ct);
        FilesHolding("gone").Count.ShouldBeGreaterThan(3);

        await log.SaveAsync(Drop(1), Ct);

        FilesHolding("gone").ShouldBeEmpty();
        SnapshotFiles.ShouldBeEmpty();
        log.Statistics.Bytes.ShouldBe(Directory.GetFiles(DataDirectory, "*", SearchOption.AllDirectories)
            .Where(path => Path.GetFileName(path) != "LOCK").Sum(LengthOf));
        Directory.GetFiles(WalDirectory, "*" + FileRaftLog.ScrubSuffix).ShouldBeEmpty();

        (log, RecoveredLog recovered) = await RestartAsync(log);
        recovered.Groups.Keys.ShouldBe([2UL]);
        recovered.Groups[2].HardState.ShouldBe(new HardState(1, 2, last));
        recovered.Groups[2].Entries.ShouldBeEntries(Enumerable.Range(1, (int)last).Select(i => Marked((ulong)i, 1, "kept")));

        // The log goes on as before: the group comes back from nothing, the other one continues.
        await log.SaveAsync(Batch(GroupWrite.Of(1, null, E(1, 3)), GroupWrite.Of(2, null, Marked(last + 1, 1, "kept"))), Ct);
        (_, recovered) = await RestartAsync(log);
        recovered.Groups[1].Entries.ShouldBeEntries(E(1, 3));
        recovered.Groups[2].Entries.Count.ShouldBe((int)last + 1);
    }

    [Fact]
    public async Task a_group_dropped_and_written_afresh_in_one_batch_keeps_only_its_new_entries_on_disk()
    {
        (FileRaftLog log, ulong last) = await TwoGroupsOverSegmentsAsync();

        await log.SaveAsync(new LogBatch([GroupWrite.Of(1, new HardState(2, 1, 0), Marked(1, 2, "fresh"))]) { Dropped = [1] }, Ct);

        FilesHolding("gone").ShouldBeEmpty();
        FilesHolding("fresh").ShouldHaveSingleItem();
        (_, RecoveredLog recovered) = await RestartAsync(log);
        recovered.Groups[1].HardState.ShouldBe(new HardState(2, 1, 0));
        recovered.Groups[1].Entries.ShouldBeEntries(Marked(1, 2, "fresh"));
        recovered.Groups[2].Entries.Count.ShouldBe((int)last);
    }

    [Fact]
    public async Task a_crash_part_way_through_the_rewrites_recovers_the_group_as_dropped_and_deletes_the_unfinished_file()
    {
        (FileRaftLog log, ulong last) = await TwoGroupsOverSegmentsAsync();
        string oldest = Segments[0];
        byte[] unscrubbed = File.ReadAllBytes(oldest);

        await log.SaveAsync(Drop(1), Ct);
        await log.DisposeAsync();

        // As if the crash came after the tombstone and the other rewrites, but before the oldest segment's rename:
        // the segment as it was, and its rewrite unfinished beside it.
        File.WriteAllBytes(oldest, unscrubbed);
        File.WriteAllBytes(oldest + FileRaftLog.ScrubSuffix, unscrubbed[..100]);
        FilesHolding("gone").ShouldNotBeEmpty();

        (log, RecoveredLog recovered) = await StartAsync();
        recovered.Groups.Keys.ShouldBe([2UL]);
        recovered.Groups[2].Entries.Count.ShouldBe((int)last);
        Directory.GetFiles(WalDirectory, "*" + FileRaftLog.ScrubSuffix).ShouldBeEmpty();

        // What the crash left is rewritten by the group's next drop (here: of the group written afresh, then dropped).
        await log.SaveAsync(Batch(GroupWrite.Of(1, null, E(1, 3))), Ct);
        await log.SaveAsync(Drop(1), Ct);
        FilesHolding("gone").ShouldBeEmpty();
        (_, recovered) = await RestartAsync(log);
        recovered.Groups.Keys.ShouldBe([2UL]);
    }

    [Fact]
    public async Task a_rewrite_that_cannot_be_written_leaves_the_segment_as_it_was_and_the_drop_in_effect()
    {
        (FileRaftLog log, ulong last) = await TwoGroupsOverSegmentsAsync();

        // A directory where the oldest segment's rewrite would go: that rewrite fails, the others go ahead.
        string blocked = Segments[0] + FileRaftLog.ScrubSuffix;
        _ = Directory.CreateDirectory(blocked);
        File.WriteAllBytes(Path.Combine(blocked, "held"), [1]);

        await log.SaveAsync(Drop(1), Ct);

        FilesHolding("gone").ShouldBe([Path.GetRelativePath(DataDirectory, Segments[0])]);
        await log.SaveAsync(Batch(GroupWrite.Of(2, null, Marked(last + 1, 1, "kept"))), Ct);
        Directory.Delete(blocked, recursive: true);
        (_, RecoveredLog recovered) = await RestartAsync(log);
        recovered.Groups.Keys.ShouldBe([2UL]);
        recovered.Groups[2].Entries.Count.ShouldBe((int)last + 1);
    }
}
