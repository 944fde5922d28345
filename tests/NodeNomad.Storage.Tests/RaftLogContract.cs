using NodeNomad.Raft;
using static NodeNomad.Storage.Tests.LogData;

namespace NodeNomad.Storage.Tests;

/// <summary>
/// What every <see cref="IRaftLog"/> backend must do, whatever it stores to. A backend's test class derives from
/// this one and says how to open the storage of the node under test; the tests restart the node by disposing
/// the log and opening it again.
/// </summary>
public abstract class RaftLogContract : IAsyncLifetime
{
    private readonly List<IRaftLog> _opened = [];

    protected static CancellationToken Ct => TestContext.Current.CancellationToken;

    /// <summary>
    /// Opens a log over the storage of the node under test, without recovering it. Called again after the
    /// previous log was disposed, it must open the same node's storage: that is a restart.
    /// </summary>
    protected abstract IRaftLog OpenLog();

    /// <summary>Removes the node's storage once every log the test opened is disposed.</summary>
    protected virtual ValueTask DeleteStorageAsync() => ValueTask.CompletedTask;

    public ValueTask InitializeAsync() => ValueTask.CompletedTask;

    public async ValueTask DisposeAsync()
    {
        foreach (IRaftLog log in _opened)
        {
            await log.DisposeAsync();
        }

        await DeleteStorageAsync();
    }

    [Fact]
    public async Task an_empty_log_recovers_no_groups()
    {
        (_, RecoveredLog recovered) = await StartAsync();

        recovered.Groups.ShouldBeEmpty();
        recovered.TruncatedTailBytes.ShouldBe(0);
    }

    [Fact]
    public async Task entries_and_hard_states_of_several_groups_in_one_batch_survive_a_restart()
    {
        (IRaftLog log, _) = await StartAsync();

        await log.SaveAsync(Batch(
            GroupWrite.Of(1, new HardState(2, 7, 1), E(1, 1), E(2, 2)),
            GroupWrite.Of(5, new HardState(3, 0, 0), E(1, 3)),
            GroupWrite.Of(9, null, Es(1, 3, 1))), Ct);
        (_, RecoveredLog recovered) = await RestartAsync(log);

        recovered.Groups.Keys.Order().ShouldBe(new ulong[] { 1, 5, 9 });
        recovered.Groups[1].HardState.ShouldBe(new HardState(2, 7, 1));
        recovered.Groups[1].Entries.ShouldBeEntries(E(1, 1), E(2, 2));
        recovered.Groups[5].HardState.ShouldBe(new HardState(3, 0, 0));
        recovered.Groups[5].Entries.ShouldBeEntries(E(1, 3));
        recovered.Groups[9].HardState.ShouldBe(HardState.Empty);
        recovered.Groups[9].Entries.ShouldBeEntries(Es(1, 3, 1));
        recovered.Groups.Values.ShouldAllBe(g => g.Snapshot == null);
    }

    [Fact]
    public async Task entry_types_and_empty_data_survive_a_restart()
    {
        (IRaftLog log, _) = await StartAsync();
        Entry noop = Entry.Command(1, 1, ReadOnlyMemory<byte>.Empty);
        var change = new Entry(2, 1, EntryType.ConfChange, new byte[] { 1, 2, 3 });

        await log.SaveAsync(Batch(GroupWrite.Of(1, null, noop, change)), Ct);
        (_, RecoveredLog recovered) = await RestartAsync(log);

        recovered.Groups[1].Entries.ShouldBeEntries(noop, change);
    }

    [Fact]
    public async Task the_last_hard_state_written_wins()
    {
        (IRaftLog log, _) = await StartAsync();

        await log.SaveAsync(Batch(GroupWrite.Of(1, new HardState(1, 1, 0), E(1, 1))), Ct);
        await log.SaveAsync(Batch(GroupWrite.Of(1, new HardState(2, 3, 1))), Ct);
        await log.SaveAsync(Batch(GroupWrite.Of(1, null, E(2, 2))), Ct);
        (_, RecoveredLog recovered) = await RestartAsync(log);

        recovered.Groups[1].HardState.ShouldBe(new HardState(2, 3, 1));
    }

    [Fact]
    public async Task overwriting_a_conflicting_suffix_keeps_only_the_new_entries()
    {
        (IRaftLog log, _) = await StartAsync();

        // A follower holds 1..5 from the leader of term 1; the leader of term 2 sends 3..4, which conflict from 3 on.
        await log.SaveAsync(Batch(GroupWrite.Of(1, null, Es(1, 5, 1))), Ct);
        await log.SaveAsync(Batch(GroupWrite.Of(1, null, Es(3, 4, 2))), Ct);
        (log, RecoveredLog recovered) = await RestartAsync(log);

        recovered.Groups[1].Entries.ShouldBeEntries([.. Es(1, 2, 1), .. Es(3, 4, 2)]);

        await log.SaveAsync(Batch(GroupWrite.Of(1, null, E(5, 2))), Ct);
        (_, recovered) = await RestartAsync(log);

        recovered.Groups[1].Entries.ShouldBeEntries([.. Es(1, 2, 1), .. Es(3, 5, 2)]);
    }

    [Fact]
    public async Task overwriting_one_groups_log_leaves_the_other_groups_alone()
    {
        (IRaftLog log, _) = await StartAsync();

        await log.SaveAsync(Batch(GroupWrite.Of(1, null, Es(1, 4, 1)), GroupWrite.Of(2, null, Es(1, 4, 1))), Ct);
        await log.SaveAsync(Batch(GroupWrite.Of(1, null, E(2, 2))), Ct);
        await log.CompactAsync(1, Snap(2, 2), Ct);
        (_, RecoveredLog recovered) = await RestartAsync(log);

        recovered.Groups[1].Entries.ShouldBeEmpty();
        recovered.Groups[1].LastIndex.ShouldBe(2UL);
        recovered.Groups[2].Snapshot.ShouldBeNull();
        recovered.Groups[2].Entries.ShouldBeEntries(Es(1, 4, 1));
    }

    [Fact]
    public async Task installing_a_snapshot_empties_the_log_and_keeps_the_entries_after_it()
    {
        (IRaftLog log, _) = await StartAsync();
        Snapshot snapshot = Snap(10, 3);

        await log.SaveAsync(Batch(GroupWrite.Of(1, new HardState(1, 0, 2), Es(1, 5, 1))), Ct);
        await log.SaveAsync(Batch(Install(1, snapshot, E(11, 3), E(12, 3))), Ct);
        await log.SaveAsync(Batch(GroupWrite.Of(1, null, E(13, 3))), Ct);
        (_, RecoveredLog recovered) = await RestartAsync(log);

        RecoveredGroup group = recovered.Groups[1];
        group.Snapshot.ShouldBeSnapshot(snapshot);
        group.Entries.ShouldBeEntries(Es(11, 13, 3));
        group.LastIndex.ShouldBe(13UL);
    }

    [Fact]
    public async Task a_snapshot_installed_in_the_same_batch_as_another_groups_entries_leaves_them_alone()
    {
        (IRaftLog log, _) = await StartAsync();

        await log.SaveAsync(Batch(GroupWrite.Of(1, null, Es(1, 3, 1)), GroupWrite.Of(2, null, Es(1, 3, 1))), Ct);
        await log.SaveAsync(Batch(Install(1, Snap(8, 2)), GroupWrite.Of(2, null, E(4, 1))), Ct);
        (_, RecoveredLog recovered) = await RestartAsync(log);

        recovered.Groups[1].Snapshot.ShouldBeSnapshot(Snap(8, 2));
        recovered.Groups[1].Entries.ShouldBeEmpty();
        recovered.Groups[2].Entries.ShouldBeEntries(Es(1, 4, 1));
    }

    [Fact]
    public async Task compaction_drops_the_entries_up_to_its_index_and_keeps_later_ones()
    {
        (IRaftLog log, _) = await StartAsync();
        Snapshot snapshot = Snap(6, 1);

        await log.SaveAsync(Batch(GroupWrite.Of(1, new HardState(1, 0, 8), Es(1, 10, 1))), Ct);
        await log.CompactAsync(1, snapshot, Ct);
        (log, RecoveredLog recovered) = await RestartAsync(log);

        recovered.Groups[1].Snapshot.ShouldBeSnapshot(snapshot);
        recovered.Groups[1].Entries.ShouldBeEntries(Es(7, 10, 1));

        await log.SaveAsync(Batch(GroupWrite.Of(1, null, E(11, 1))), Ct);
        (_, recovered) = await RestartAsync(log);

        recovered.Groups[1].Snapshot.ShouldBeSnapshot(snapshot);
        recovered.Groups[1].Entries.ShouldBeEntries(Es(7, 11, 1));
    }

    [Fact]
    public async Task a_later_compaction_replaces_the_earlier_snapshot()
    {
        (IRaftLog log, _) = await StartAsync();

        await log.SaveAsync(Batch(GroupWrite.Of(1, null, Es(1, 10, 1))), Ct);
        await log.CompactAsync(1, Snap(4, 1), Ct);
        await log.CompactAsync(1, Snap(10, 1), Ct);
        (_, RecoveredLog recovered) = await RestartAsync(log);

        recovered.Groups[1].Snapshot.ShouldBeSnapshot(Snap(10, 1));
        recovered.Groups[1].Entries.ShouldBeEmpty();
        recovered.Groups[1].LastIndex.ShouldBe(10UL);
    }

    [Fact]
    public async Task the_recovered_commit_index_is_raised_to_the_snapshot_index()
    {
        (IRaftLog log, _) = await StartAsync();

        await log.SaveAsync(Batch(GroupWrite.Of(1, new HardState(4, 2, 1), Es(1, 2, 4))), Ct);
        await log.SaveAsync(Batch(Install(1, Snap(20, 4))), Ct);
        await log.SaveAsync(Batch(Install(2, Snap(7, 1))), Ct);
        (_, RecoveredLog recovered) = await RestartAsync(log);

        recovered.Groups[1].HardState.ShouldBe(new HardState(4, 2, 20));
        recovered.Groups[2].HardState.ShouldBe(new HardState(0, 0, 7));
    }

    [Fact]
    public async Task writes_after_a_restart_continue_the_log()
    {
        (IRaftLog log, _) = await StartAsync();

        await log.SaveAsync(Batch(GroupWrite.Of(1, new HardState(1, 1, 0), Es(1, 3, 1))), Ct);
        (log, _) = await RestartAsync(log);
        await log.SaveAsync(Batch(GroupWrite.Of(1, new HardState(2, 1, 3), Es(4, 6, 2))), Ct);
        (_, RecoveredLog recovered) = await RestartAsync(log);

        recovered.Groups[1].HardState.ShouldBe(new HardState(2, 1, 3));
        recovered.Groups[1].Entries.ShouldBeEntries([.. Es(1, 3, 1), .. Es(4, 6, 2)]);
    }

    [Fact]
    public async Task statistics_count_the_batches_saved()
    {
        (IRaftLog log, _) = await StartAsync();

        await log.SaveAsync(Batch(GroupWrite.Of(1, null, E(1, 1))), Ct);
        await log.SaveAsync(Batch(GroupWrite.Of(1, null, E(2, 1))), Ct);

        log.Statistics.Batches.ShouldBe(2);
        log.Statistics.Bytes.ShouldBePositive();
        log.Statistics.Segments.ShouldBePositive();
        log.Statistics.LastSyncMilliseconds.ShouldBeGreaterThanOrEqualTo(0);
    }

    [Fact]
    public async Task saving_before_recovery_throws()
    {
        IRaftLog log = Open();

        await Should.ThrowAsync<InvalidOperationException>(async () => await log.SaveAsync(Batch(GroupWrite.Of(1, null, E(1, 1))), Ct));
    }

    [Fact]
    public async Task compacting_before_recovery_throws()
    {
        IRaftLog log = Open();

        await Should.ThrowAsync<InvalidOperationException>(async () => await log.CompactAsync(1, Snap(1, 1), Ct));
    }

    [Fact]
    public async Task recovering_twice_throws()
    {
        (IRaftLog log, _) = await StartAsync();

        await Should.ThrowAsync<InvalidOperationException>(async () => await log.RecoverAsync(Ct));
    }

    [Theory]
    [InlineData(new ulong[] { 1, 3 })]
    [InlineData(new ulong[] { 2, 1 })]
    [InlineData(new ulong[] { 1, 1 })]
    public async Task entries_that_are_not_ascending_and_contiguous_are_rejected(ulong[] indexes)
    {
        (IRaftLog log, _) = await StartAsync();

        await Should.ThrowAsync<ArgumentException>(async () =>
            await log.SaveAsync(Batch(GroupWrite.Of(1, null, [.. indexes.Select(i => E(i, 1))])), Ct));
    }

    [Fact]
    public async Task entries_that_leave_a_gap_after_the_last_index_are_rejected()
    {
        (IRaftLog log, _) = await StartAsync();
        await log.SaveAsync(Batch(GroupWrite.Of(1, null, Es(1, 3, 1))), Ct);

        await Should.ThrowAsync<ArgumentException>(async () => await log.SaveAsync(Batch(GroupWrite.Of(1, null, E(5, 1))), Ct));
        await Should.ThrowAsync<ArgumentException>(async () => await log.SaveAsync(Batch(GroupWrite.Of(2, null, E(2, 1))), Ct));

        await log.SaveAsync(Batch(GroupWrite.Of(1, null, E(4, 1))), Ct);
        (_, RecoveredLog recovered) = await RestartAsync(log);
        recovered.Groups[1].Entries.ShouldBeEntries(Es(1, 4, 1));
    }

    [Fact]
    public async Task entries_after_an_installed_snapshot_must_follow_it()
    {
        (IRaftLog log, _) = await StartAsync();

        await Should.ThrowAsync<ArgumentException>(async () => await log.SaveAsync(Batch(Install(1, Snap(5, 1), E(7, 1))), Ct));
        await Should.ThrowAsync<ArgumentException>(async () => await log.SaveAsync(Batch(Install(1, Snap(5, 1), E(5, 1))), Ct));
    }

    [Fact]
    public async Task a_rejected_batch_writes_nothing_of_any_group()
    {
        (IRaftLog log, _) = await StartAsync();

        await Should.ThrowAsync<ArgumentException>(async () =>
            await log.SaveAsync(Batch(GroupWrite.Of(1, new HardState(1, 1, 0), E(1, 1)), GroupWrite.Of(2, null, E(2, 1))), Ct));
        (_, RecoveredLog recovered) = await RestartAsync(log);

        recovered.Groups.ShouldBeEmpty();
    }

    [Fact]
    public async Task a_group_written_twice_in_one_batch_is_rejected()
    {
        (IRaftLog log, _) = await StartAsync();

        await Should.ThrowAsync<ArgumentException>(async () =>
            await log.SaveAsync(Batch(GroupWrite.Of(1, null, E(1, 1)), GroupWrite.Of(1, null, E(2, 1))), Ct));
    }

    [Fact]
    public async Task entries_at_or_below_the_snapshot_index_are_rejected()
    {
        (IRaftLog log, _) = await StartAsync();
        await log.SaveAsync(Batch(GroupWrite.Of(1, null, Es(1, 5, 1))), Ct);
        await log.CompactAsync(1, Snap(3, 1), Ct);

        await Should.ThrowAsync<ArgumentException>(async () => await log.SaveAsync(Batch(GroupWrite.Of(1, null, E(3, 2))), Ct));

        await log.SaveAsync(Batch(GroupWrite.Of(1, null, E(4, 2))), Ct);
        (_, RecoveredLog recovered) = await RestartAsync(log);
        recovered.Groups[1].Entries.ShouldBeEntries(E(4, 2));
    }

    [Fact]
    public async Task a_snapshot_that_is_not_newer_than_the_groups_is_rejected()
    {
        (IRaftLog log, _) = await StartAsync();
        await log.SaveAsync(Batch(GroupWrite.Of(1, null, Es(1, 5, 1))), Ct);
        await log.CompactAsync(1, Snap(4, 1), Ct);

        await Should.ThrowAsync<ArgumentException>(async () => await log.CompactAsync(1, Snap(4, 1), Ct));
        await Should.ThrowAsync<ArgumentException>(async () => await log.SaveAsync(Batch(Install(1, Snap(3, 1))), Ct));
    }

    [Fact]
    public async Task compaction_beyond_the_last_index_is_rejected()
    {
        (IRaftLog log, _) = await StartAsync();
        await log.SaveAsync(Batch(GroupWrite.Of(1, null, Es(1, 5, 1))), Ct);

        await Should.ThrowAsync<ArgumentException>(async () => await log.CompactAsync(1, Snap(6, 1), Ct));
        await Should.ThrowAsync<ArgumentException>(async () => await log.CompactAsync(2, Snap(1, 1), Ct));
    }

    [Fact]
    public async Task a_dropped_group_is_not_recovered_and_the_other_groups_are_intact()
    {
        (IRaftLog log, _) = await StartAsync();
        await log.SaveAsync(Batch(GroupWrite.Of(1, new HardState(1, 1, 2), Es(1, 3, 1)), GroupWrite.Of(2, new HardState(2, 2, 1), Es(1, 3, 2))), Ct);
        await log.CompactAsync(1, Snap(2, 1), Ct);
        await log.CompactAsync(2, Snap(1, 2), Ct);

        await log.SaveAsync(Drop(1), Ct);
        (log, RecoveredLog recovered) = await RestartAsync(log);

        recovered.Groups.Keys.ShouldBe([2UL]);
        recovered.Groups[2].HardState.ShouldBe(new HardState(2, 2, 1));
        recovered.Groups[2].Snapshot.ShouldBeSnapshot(Snap(1, 2));
        recovered.Groups[2].Entries.ShouldBeEntries(Es(2, 3, 2));

        await log.SaveAsync(Batch(GroupWrite.Of(2, null, E(4, 2))), Ct);
        await log.CompactAsync(2, Snap(3, 2), Ct);
        (_, recovered) = await RestartAsync(log);

        recovered.Groups.Keys.ShouldBe([2UL]);
        recovered.Groups[2].Entries.ShouldBeEntries(E(4, 2));
    }

    [Fact]
    public async Task a_group_written_after_its_drop_starts_a_new_empty_log()
    {
        (IRaftLog log, _) = await StartAsync();
        await log.SaveAsync(Batch(GroupWrite.Of(1, new HardState(3, 1, 5), Es(1, 5, 3))), Ct);
        await log.CompactAsync(1, Snap(3, 3), Ct);
        await log.SaveAsync(Drop(1), Ct);

        await Should.ThrowAsync<ArgumentException>(async () => await log.SaveAsync(Batch(GroupWrite.Of(1, null, E(6, 3))), Ct));
        await log.SaveAsync(Batch(GroupWrite.Of(1, new HardState(4, 0, 0), Es(1, 2, 4))), Ct);
        (log, RecoveredLog recovered) = await RestartAsync(log);

        recovered.Groups[1].HardState.ShouldBe(new HardState(4, 0, 0));
        recovered.Groups[1].Snapshot.ShouldBeNull();
        recovered.Groups[1].Entries.ShouldBeEntries(Es(1, 2, 4));

        await log.SaveAsync(Batch(GroupWrite.Of(1, null, E(3, 4))), Ct);
        (_, recovered) = await RestartAsync(log);

        recovered.Groups[1].Entries.ShouldBeEntries(Es(1, 3, 4));
    }

    [Fact]
    public async Task a_group_dropped_and_written_in_one_batch_keeps_only_the_new_write()
    {
        (IRaftLog log, _) = await StartAsync();
        await log.SaveAsync(Batch(GroupWrite.Of(1, new HardState(1, 1, 5), Es(1, 5, 1)), GroupWrite.Of(2, null, E(1, 1))), Ct);

        await log.SaveAsync(new LogBatch([GroupWrite.Of(1, null, Es(1, 2, 2)), GroupWrite.Of(2, null, E(2, 1))]) { Dropped = [1] }, Ct);
        (_, RecoveredLog recovered) = await RestartAsync(log);

        recovered.Groups[1].HardState.ShouldBe(HardState.Empty);
        recovered.Groups[1].Entries.ShouldBeEntries(Es(1, 2, 2));
        recovered.Groups[2].Entries.ShouldBeEntries(Es(1, 2, 1));
    }

    [Fact]
    public async Task a_group_dropped_and_given_a_snapshot_at_its_old_snapshot_index_in_one_batch_recovers_the_new_snapshot()
    {
        (IRaftLog log, _) = await StartAsync();
        await log.SaveAsync(Batch(GroupWrite.Of(1, new HardState(1, 1, 6), Es(1, 6, 1)), GroupWrite.Of(2, null, E(1, 1))), Ct);
        await log.CompactAsync(1, Snap(4, 1), Ct);

        await log.SaveAsync(new LogBatch([Install(1, Snap(4, 2), E(5, 2)), GroupWrite.Of(2, null, E(2, 1))]) { Dropped = [1] }, Ct);
        (_, RecoveredLog recovered) = await RestartAsync(log);

        recovered.Groups[1].HardState.ShouldBe(new HardState(0, 0, 4));
        recovered.Groups[1].Snapshot.ShouldBeSnapshot(Snap(4, 2));
        recovered.Groups[1].Entries.ShouldBeEntries(E(5, 2));
        recovered.Groups[2].Entries.ShouldBeEntries(Es(1, 2, 1));
    }

    [Fact]
    public async Task dropping_a_group_the_log_does_not_hold_changes_nothing()
    {
        (IRaftLog log, _) = await StartAsync();
        await log.SaveAsync(Batch(GroupWrite.Of(1, new HardState(1, 1, 0), Es(1, 2, 1)), GroupWrite.Of(2, null, E(1, 1))), Ct);
        await log.SaveAsync(Drop(2), Ct);
        long batches = log.Statistics.Batches;

        await log.SaveAsync(Drop(7), Ct);
        await log.SaveAsync(Drop(2), Ct);

        log.Statistics.Batches.ShouldBe(batches);
        (_, RecoveredLog recovered) = await RestartAsync(log);
        recovered.Groups.Keys.ShouldBe([1UL]);
        recovered.Groups[1].HardState.ShouldBe(new HardState(1, 1, 0));
        recovered.Groups[1].Entries.ShouldBeEntries(Es(1, 2, 1));
    }

    [Fact]
    public async Task dropping_a_group_frees_the_space_of_its_snapshot_and_entries()
    {
        (IRaftLog log, _) = await StartAsync();
        await log.SaveAsync(Batch(GroupWrite.Of(1, null, Es(1, 4, 1)), GroupWrite.Of(2, null, E(1, 1))), Ct);
        await log.CompactAsync(1, BigSnap(3, 1, 8192), Ct);
        long bytes = log.Statistics.Bytes;

        await log.SaveAsync(Drop(1), Ct);

        log.Statistics.Bytes.ShouldBeLessThan(bytes - 8192);
        (log, _) = await RestartAsync(log);
        log.Statistics.Bytes.ShouldBeLessThan(bytes - 8192);
    }

    [Fact]
    public async Task a_rejected_batch_drops_nothing()
    {
        (IRaftLog log, _) = await StartAsync();
        await log.SaveAsync(Batch(GroupWrite.Of(1, null, Es(1, 2, 1)), GroupWrite.Of(2, null, E(1, 1))), Ct);

        await Should.ThrowAsync<ArgumentException>(async () =>
            await log.SaveAsync(new LogBatch([GroupWrite.Of(2, null, E(3, 1))]) { Dropped = [1] }, Ct));
        (_, RecoveredLog recovered) = await RestartAsync(log);

        recovered.Groups[1].Entries.ShouldBeEntries(Es(1, 2, 1));
        recovered.Groups[2].Entries.ShouldBeEntries(E(1, 1));
    }

    /// <summary>Opens the node's log without recovering it; the test's cleanup disposes it.</summary>
    protected IRaftLog Open()
    {
        IRaftLog log = OpenLog();
        _opened.Add(log);
        return log;
    }

    /// <summary>Opens and recovers the node's log.</summary>
    protected async Task<(IRaftLog Log, RecoveredLog Recovered)> StartAsync()
    {
        IRaftLog log = Open();
        return (log, await log.RecoverAsync(Ct));
    }

    /// <summary>Stops the node (disposes its log) and starts it again.</summary>
    protected async Task<(IRaftLog Log, RecoveredLog Recovered)> RestartAsync(IRaftLog log)
    {
        await log.DisposeAsync();
        return await StartAsync();
    }
}
