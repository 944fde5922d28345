using NodeNomad.Core.KeyValue;
using NodeNomad.Node.Shards;
using NodeNomad.Raft;

namespace NodeNomad.Node.Tests.Snapshots;

public sealed class KvSnapshotPreparerTests
{
    [Fact]
    public void a_shard_snapshot_is_decoded_ahead_and_another_kind_is_left_alone()
    {
        var machine = new KvStateMachine();
        machine.Apply(1, new SetCommand("k", "v", null, 0));
        var preparer = new KvSnapshotPreparer();

        var prepared = preparer.Prepare(SnapshotData.FromBytes(machine.Serialize())).ShouldBeOfType<KvStateMachine>();
        prepared.Digest().ShouldBe(machine.Digest());

        preparer.Prepare(SnapshotData.FromBytes("{\"clusterId\":\"c\"}"u8.ToArray())).ShouldBeNull("the cluster map's snapshot is JSON, decoded where it is installed");
        preparer.Prepare(SnapshotData.Empty).ShouldBeNull();
    }

    [Fact]
    public void a_damaged_shard_snapshot_is_refused_here_too()
    {
        var machine = new KvStateMachine();
        machine.Apply(1, new SetCommand("k", "v", null, 0));
        var bytes = machine.Serialize();
        Should.Throw<FormatException>(() => new KvSnapshotPreparer().Prepare(SnapshotData.FromBytes(bytes.AsMemory(..^3))));
    }
}
