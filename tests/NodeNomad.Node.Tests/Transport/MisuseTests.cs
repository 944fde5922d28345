using System.Buffers;
using NodeNomad.Node.Transport;
using NodeNomad.Raft;

namespace NodeNomad.Node.Tests.Transport;

/// <summary>What cannot travel is refused at the sender with an ArgumentException, before anything is written.</summary>
public sealed class MisuseTests
{
    private static readonly Snapshot SomeSnapshot = new(new SnapshotMetadata(5, 1, ConfState.OfVoters(1, 2)), new byte[] { 1, 2, 3 });

    [Fact]
    public void a_snapshot_message_is_refused_in_a_batch() =>
        Should.Throw<ArgumentException>(() => RaftMessageCodec.WriteBatchFrame(
            [new GroupMessage(1, new Message { Type = MessageType.Snapshot, Snapshot = SomeSnapshot })], new ArrayBufferWriter<byte>()));

    [Fact]
    public void a_snapshot_message_without_its_snapshot_is_refused() =>
        Should.Throw<ArgumentException>(() => RaftMessageCodec.SnapshotFrames(new GroupMessage(1, new Message { Type = MessageType.Snapshot })));

    [Fact]
    public void another_message_carrying_a_snapshot_is_refused() =>
        Should.Throw<ArgumentException>(() => RaftMessageCodec.MeasureInBatch(
            new GroupMessage(1, new Message { Type = MessageType.Heartbeat, Snapshot = SomeSnapshot })));

    [Fact]
    public void an_unknown_message_type_is_refused() =>
        Should.Throw<ArgumentException>(() => RaftMessageCodec.MeasureInBatch(new GroupMessage(1, new Message { Type = (MessageType)99 })));

    [Fact]
    public void an_unknown_entry_type_is_refused() =>
        Should.Throw<ArgumentException>(() => RaftMessageCodec.MeasureInBatch(new GroupMessage(1, new Message
        {
            Type = MessageType.Append,
            Entries = [new Entry(1, 1, (EntryType)9, ReadOnlyMemory<byte>.Empty)],
        })));

    [Fact]
    public void an_empty_batch_is_refused() =>
        Should.Throw<ArgumentException>(() => RaftMessageCodec.WriteBatchFrame([], new ArrayBufferWriter<byte>()));

    [Fact]
    public void a_batch_larger_than_a_frame_is_refused()
    {
        var huge = new GroupMessage(1, new Message
        {
            Type = MessageType.Append,
            Entries = [Entry.Command(1, 1, new byte[RaftMessageCodec.MaxFramePayloadBytes])],
        });

        Should.Throw<ArgumentException>(() => RaftMessageCodec.WriteBatchFrame([huge], new ArrayBufferWriter<byte>()));
    }

    [Fact]
    public void a_missing_message_is_refused() =>
        Should.Throw<ArgumentException>(() => RaftMessageCodec.MeasureInBatch(default));
}
