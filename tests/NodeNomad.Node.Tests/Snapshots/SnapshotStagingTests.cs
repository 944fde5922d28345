using NodeNomad.Node.Snapshots;
using NodeNomad.Raft;

namespace NodeNomad.Node.Tests.Snapshots;

public sealed class SnapshotStagingTests : IDisposable
{
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "nodenomad-staging-" + Guid.NewGuid().ToString("N"));
    private readonly ManualTime _time = new();

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Fact]
    public void a_start_empties_the_folder()
    {
        Directory.CreateDirectory(_directory);
        File.WriteAllText(Path.Combine(_directory, "left-from-before.snapdata"), "x");
        var staging = new SnapshotStaging(_directory, _time);
        Directory.EnumerateFileSystemEntries(staging.Directory).ShouldBeEmpty();
    }

    [Fact]
    public void a_group_keeps_its_newest_adopted_file_and_drops_it_when_dropped()
    {
        var staging = new SnapshotStaging(_directory, _time);
        var first = Written(staging, "taken");
        staging.Adopt(7, SnapshotData.FromFile(first, 0, 1));
        File.Exists(first).ShouldBeTrue();

        var second = Written(staging, "received");
        staging.Adopt(7, SnapshotData.FromFile(second, 0, 1));
        File.Exists(first).ShouldBeFalse("the group's previous snapshot file goes");
        File.Exists(second).ShouldBeTrue();

        // Another group's file is not touched; a snapshot held in memory (or in the log's own file) releases the old one.
        var other = Written(staging, "taken");
        staging.Adopt(8, SnapshotData.FromFile(other, 0, 1));
        staging.Adopt(7, SnapshotData.FromBytes(new byte[] { 1 }));
        File.Exists(second).ShouldBeFalse();
        File.Exists(other).ShouldBeTrue();

        staging.Drop(8);
        File.Exists(other).ShouldBeFalse();
        staging.Files.ShouldBe(0);
    }

    [Fact]
    public void a_file_nobody_adopted_goes_after_its_lifetime_but_one_being_written_stays()
    {
        var staging = new SnapshotStaging(_directory, _time);
        var unused = Written(staging, "received");
        var writing = staging.NewFile("received");
        File.WriteAllText(writing, "partial");

        _time.Advance(SnapshotStaging.UnadoptedLifetime - TimeSpan.FromSeconds(1));
        staging.Drop(99);
        File.Exists(unused).ShouldBeTrue("not yet past its lifetime");

        _time.Advance(TimeSpan.FromSeconds(2));
        staging.Drop(99);
        File.Exists(unused).ShouldBeFalse();
        File.Exists(writing).ShouldBeTrue("a file being written is never swept");

        staging.Discard(writing);
        File.Exists(writing).ShouldBeFalse();
    }

    private static string Written(SnapshotStaging staging, string kind)
    {
        var path = staging.NewFile(kind);
        File.WriteAllBytes(path, [1]);
        staging.Written(path);
        return path;
    }

    private sealed class ManualTime : TimeProvider
    {
        private DateTimeOffset _now = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

        public override DateTimeOffset GetUtcNow() => _now;

        public void Advance(TimeSpan by) => _now += by;
    }
}
