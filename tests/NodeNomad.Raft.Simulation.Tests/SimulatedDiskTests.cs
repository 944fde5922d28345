namespace NodeNomad.Raft.Simulation.Tests;

public class SimulatedDiskTests
{
    private static readonly ConfState Members = ConfState.OfVoters(1, 2, 3);

    [Fact]
    public void appended_entries_replace_a_conflicting_suffix()
    {
        var disk = new SimulatedDisk();
        disk.Append([E(1, 1), E(2, 1), E(3, 1), E(4, 1)]);

        disk.Append([E(3, 2), E(4, 2), E(5, 2)]);

        disk.Entries.Select(entry => (entry.Index, entry.Term)).ShouldBe([(1UL, 1UL), (2UL, 1UL), (3UL, 2UL), (4UL, 2UL), (5UL, 2UL)]);
    }

    [Fact]
    public void entries_that_would_leave_a_gap_are_a_violation()
    {
        var disk = new SimulatedDisk();
        disk.Append([E(1, 1)]);

        Should.Throw<InvariantViolationException>(() => disk.Append([E(3, 1)]));
    }

    [Fact]
    public void a_snapshot_from_the_leader_replaces_the_whole_log()
    {
        var disk = new SimulatedDisk();
        disk.Append([E(1, 1), E(2, 1), E(3, 1)]);

        disk.InstallSnapshot(Snapshot(5, 2));

        disk.SnapshotIndex.ShouldBe(5UL);
        disk.LastIndex.ShouldBe(5UL);
        disk.Entries.ShouldBeEmpty();
        disk.TermAt(5).ShouldBe(2UL);
        Should.Throw<InvariantViolationException>(() => disk.InstallSnapshot(Snapshot(4, 2)));
    }

    [Fact]
    public void the_hosts_own_compaction_keeps_the_entries_after_the_snapshot()
    {
        var disk = new SimulatedDisk();
        disk.Append([E(1, 1), E(2, 1), E(3, 2), E(4, 2)]);

        disk.Compact(Snapshot(2, 1));

        disk.SnapshotIndex.ShouldBe(2UL);
        disk.Entries.Select(entry => entry.Index).ShouldBe([3UL, 4UL]);
        disk.EntryAt(2).ShouldBeNull();
        disk.TermAt(3).ShouldBe(2UL);
    }

    [Fact]
    public void compacting_at_an_entry_of_another_term_is_a_violation()
    {
        var disk = new SimulatedDisk();
        disk.Append([E(1, 1), E(2, 1)]);

        Should.Throw<InvariantViolationException>(() => disk.Compact(Snapshot(2, 3)));
    }

    [Fact]
    public void entries_under_the_snapshot_are_skipped_when_appended()
    {
        var disk = new SimulatedDisk();
        disk.InstallSnapshot(Snapshot(3, 1));

        disk.Append([E(2, 1), E(3, 1), E(4, 1)]);

        disk.Entries.Select(entry => entry.Index).ShouldBe([4UL]);
    }

    [Fact]
    public void a_restart_recovers_exactly_what_was_persisted()
    {
        var disk = new SimulatedDisk();
        disk.Append([E(1, 1), E(2, 1), E(3, 1)]);
        disk.Compact(Snapshot(1, 1));
        disk.SaveHardState(new HardState(4, 2, 3));

        var bootstrap = disk.Bootstrap(Members);

        bootstrap.HardState.ShouldBe(new HardState(4, 2, 3));
        bootstrap.Snapshot!.Metadata.Index.ShouldBe(1UL);
        bootstrap.Entries.Select(entry => entry.Index).ShouldBe([2UL, 3UL]);
        bootstrap.InitialMembers.ShouldBe(Members);
    }

    private static Entry E(ulong index, ulong term) => Entry.Command(index, term, new byte[] { (byte)index, (byte)term });

    private static Snapshot Snapshot(ulong index, ulong term) => new(new SnapshotMetadata(index, term, Members), Array.Empty<byte>());
}
