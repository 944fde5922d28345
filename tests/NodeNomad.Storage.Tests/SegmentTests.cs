using NodeNomad.Raft;
using static NodeNomad.Storage.Tests.LogData;

namespace NodeNomad.Storage.Tests;

/// <summary>The log rolls over to new segments, and deletes the old ones once snapshots cover them.</summary>
public sealed class SegmentTests : FileLogTest
{
    public SegmentTests() => Options = new FileRaftLogOptions { SegmentBytes = 4096 };

    [Fact]
    public async Task a_full_segment_is_followed_by_a_new_one_and_every_entry_survives()
    {
        (FileRaftLog log, _) = await StartAsync();

        await SaveBigEntriesAsync(log, 1, 1, 40);

        Segments.Length.ShouldBeGreaterThan(2);
        log.Statistics.Segments.ShouldBe(Segments.Length);
        Segments.ShouldAllBe(s => LengthOf(s) < 4096 + 400);
        (_, RecoveredLog recovered) = await RestartAsync(log);
        recovered.Groups[1].Entries.ShouldBeEntries(Enumerable.Range(1, 40).Select(i => Big((ulong)i, 1)));
    }

    [Fact]
    public async Task compaction_deletes_the_segments_it_covers_and_the_log_recovers_the_same_state()
    {
        (FileRaftLog log, _) = await StartAsync();
        for (ulong i = 1; i <= 40; i++)
        {
            await log.SaveAsync(Batch(
                GroupWrite.Of(1, new HardState(1, 1, i - 1), Big(i, 1)),
                GroupWrite.Of(2, new HardState(2, 3, i - 1), Big(i, 2))), Ct);
        }

        int segments = Segments.Length;
        long bytes = log.Statistics.Bytes;

        await log.CompactAsync(1, Snap(40, 1), Ct);
        Segments.Length.ShouldBe(segments, "group 2 still needs every segment");

        await log.CompactAsync(2, Snap(30, 2), Ct);
        Segments.Length.ShouldBeLessThan(segments);
        log.Statistics.Segments.ShouldBe(Segments.Length);
        log.Statistics.Bytes.ShouldBeLessThan(bytes);

        (_, RecoveredLog recovered) = await RestartAsync(log);
        recovered.Groups[1].HardState.ShouldBe(new HardState(1, 1, 40));
        recovered.Groups[1].Snapshot.ShouldBeSnapshot(Snap(40, 1));
        recovered.Groups[1].Entries.ShouldBeEmpty();
        recovered.Groups[2].HardState.ShouldBe(new HardState(2, 3, 39));
        recovered.Groups[2].Snapshot.ShouldBeSnapshot(Snap(30, 2));
        recovered.Groups[2].Entries.ShouldBeEntries(Enumerable.Range(31, 10).Select(i => Big((ulong)i, 2)));
    }

    [Fact]
    public async Task a_hard_state_written_only_in_deleted_segments_survives_through_the_checkpoints()
    {
        (FileRaftLog log, _) = await StartAsync();
        await log.SaveAsync(Batch(GroupWrite.Of(7, new HardState(5, 7, 0))), Ct);
        await SaveBigEntriesAsync(log, 1, 1, 40);

        await log.CompactAsync(1, Snap(40, 1), Ct);
        Segments.ShouldHaveSingleItem();

        (_, RecoveredLog recovered) = await RestartAsync(log);
        recovered.Groups[7].HardState.ShouldBe(new HardState(5, 7, 0));
        recovered.Groups[1].Snapshot.ShouldBeSnapshot(Snap(40, 1));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task a_snapshot_recorded_only_in_deleted_segments_survives_through_the_checkpoints(bool installed)
    {
        (FileRaftLog log, _) = await StartAsync();
        await log.SaveAsync(Batch(GroupWrite.Of(2, new HardState(1, 2, 5), Es(1, 5, 1))), Ct);
        if (installed)
        {
            await log.SaveAsync(Batch(Install(2, Snap(9, 1))), Ct);
        }
        else
        {
            await log.CompactAsync(2, Snap(5, 1), Ct);
        }

        // Group 2 falls idle; group 1's compaction then deletes the segment that recorded group 2's snapshot.
        await SaveBigEntriesAsync(log, 1, 1, 30);
        await log.CompactAsync(1, Snap(30, 1), Ct);
        Segments.ShouldHaveSingleItem();
        (_, RecoveredLog recovered) = await RestartAsync(log);

        recovered.Groups[2].Snapshot.ShouldBeSnapshot(installed ? Snap(9, 1) : Snap(5, 1));
        recovered.Groups[2].Entries.ShouldBeEmpty();
        recovered.Groups[2].HardState.ShouldBe(new HardState(1, 2, installed ? 9UL : 5UL));
    }

    [Fact]
    public async Task entries_a_later_segment_truncated_stay_truncated_after_compaction()
    {
        (FileRaftLog log, _) = await StartAsync();

        // Segment 1: group 1 holds 1..10 in term 1. Segment 2: the leader of term 2 overwrites 5.. with 5..6.
        await log.SaveAsync(Batch(GroupWrite.Of(1, null, Es(1, 10, 1))), Ct);
        await SaveBigEntriesAsync(log, 2, 1, 15);
        await log.SaveAsync(Batch(GroupWrite.Of(1, null, Es(5, 6, 2))), Ct);
        await SaveBigEntriesAsync(log, 2, 16, 30);
        Segments.Length.ShouldBeGreaterThan(2);

        // Segment 2 is now covered by the snapshots, but segment 1 is not: deleting segment 2 alone would bring
        // back entries 7..10 of term 1.
        await log.CompactAsync(1, Snap(6, 2), Ct);
        await log.CompactAsync(2, Snap(30, 1), Ct);
        (_, RecoveredLog recovered) = await RestartAsync(log);

        recovered.Groups[1].Snapshot.ShouldBeSnapshot(Snap(6, 2));
        recovered.Groups[1].Entries.ShouldBeEmpty();
        recovered.Groups[1].LastIndex.ShouldBe(6UL);
    }

    [Fact]
    public async Task a_torn_checkpoint_is_written_again()
    {
        (FileRaftLog log, _) = await StartAsync();
        await log.SaveAsync(Batch(GroupWrite.Of(7, new HardState(5, 7, 0))), Ct);
        await SaveBigEntriesAsync(log, 1, 1, 20);
        await log.DisposeAsync();
        Segments.Length.ShouldBeGreaterThan(1);

        // The crash tore the first record of the newest segment, its checkpoint.
        Truncate(LastSegment, 3);
        (log, RecoveredLog recovered) = await StartAsync();
        recovered.TruncatedTailBytes.ShouldBe(3);

        ulong last = recovered.Groups[1].LastIndex;
        await log.CompactAsync(1, Snap(last, 1), Ct);
        Segments.ShouldHaveSingleItem();
        (_, recovered) = await RestartAsync(log);

        recovered.Groups[7].HardState.ShouldBe(new HardState(5, 7, 0));
    }

    private static async Task SaveBigEntriesAsync(FileRaftLog log, ulong groupId, ulong from, ulong to)
    {
        for (ulong i = from; i <= to; i++)
        {
            await log.SaveAsync(Batch(GroupWrite.Of(groupId, null, Big(i, 1))), Ct);
        }
    }
}
