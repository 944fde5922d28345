using System.Buffers;
using NodeNomad.Node.Transport;
using NodeNomad.Raft;

namespace NodeNomad.Node.Tests.Transport;

/// <summary>Whatever a sender encodes, a receiver decodes to the same messages, in the same order. Randomised; the seed is printed.</summary>
public sealed class CodecRoundTripTests(ITestOutputHelper output)
{
    [Fact]
    public async Task every_message_type_round_trips_with_every_field()
    {
        var random = new Random(RandomMessages.Seed(output, GetType()));
        var sent = RandomMessages.AllTypes
            .SelectMany(type => Enumerable.Range(0, 50).Select(_ => RandomMessages.Next(random, type)))
            .OrderBy(_ => random.Next())
            .ToList();

        var received = await Wire.DecodeAsync(Wire.Encode(sent, random, chunkBytes: random.Next(1, 2000)), random);

        received.Count.ShouldBe(sent.Count);
        for (int i = 0; i < sent.Count; i++)
        {
            received[i].ShouldBeSameAs(sent[i], $"message {i} ({sent[i].Message.Type})");
        }
    }

    [Fact]
    public async Task a_snapshot_is_reassembled_from_its_chunks()
    {
        var random = new Random(RandomMessages.Seed(output, GetType()));
        var snapshot = RandomMessages.Next(random, MessageType.Snapshot);
        snapshot = snapshot with
        {
            Message = snapshot.Message with { Snapshot = snapshot.Message.Snapshot! with { Data = RandomMessages.Bytes(random, 1_000_003) } },
        };

        var frames = RaftMessageCodec.SnapshotFrames(snapshot, chunkBytes: 64 * 1024).ToList();
        frames.Select(f => (RaftFrameType)f.Span[4]).ShouldBe(
            [RaftFrameType.SnapshotStart, .. Enumerable.Repeat(RaftFrameType.SnapshotChunk, 16), RaftFrameType.SnapshotEnd]);
        frames.ShouldAllBe(f => f.Length <= RaftMessageCodec.FrameHeaderBytes + (64 * 1024) + 100);

        var received = await Wire.DecodeAsync(frames.SelectMany(f => f.ToArray()).ToArray(), random);

        received.ShouldHaveSingleItem().ShouldBeSameAs(snapshot);
    }

    [Fact]
    public async Task an_empty_snapshot_round_trips()
    {
        var message = new GroupMessage(7, new Message
        {
            Type = MessageType.Snapshot,
            From = 1,
            To = 2,
            Term = 3,
            Snapshot = new Snapshot(new SnapshotMetadata(10, 3, ConfState.OfVoters(1, 2, 3)), ReadOnlyMemory<byte>.Empty),
        });

        var received = await Wire.DecodeAsync(Wire.Encode([message]));

        received.ShouldHaveSingleItem().ShouldBeSameAs(message);
    }

    [Fact]
    public async Task extreme_values_round_trip()
    {
        var message = new GroupMessage(ulong.MaxValue, new Message
        {
            Type = MessageType.CheckQuorum,
            From = ulong.MaxValue,
            To = 1UL << 63,
            Term = (1UL << 63) - 1,
            LogTerm = 127,
            Index = 128,
            Commit = 16383,
            RejectHint = 16384,
            Reject = true,
            Entries = [new Entry(ulong.MaxValue, ulong.MaxValue, EntryType.ConfChange, ReadOnlyMemory<byte>.Empty)],
        });

        var received = await Wire.DecodeAsync(Wire.Encode([message]));

        received.ShouldHaveSingleItem().ShouldBeSameAs(message);
    }

    [Theory]
    [InlineData(long.MinValue)]
    [InlineData(-1L)]
    [InlineData(1L)]
    [InlineData(1_767_225_600_000L)]
    [InlineData(long.MaxValue)]
    public async Task a_read_answers_timestamp_round_trips(long timestamp)
    {
        var message = new GroupMessage(3, new Message
        {
            Type = MessageType.ReadIndexResponse,
            From = 1,
            To = 2,
            Term = 4,
            Index = 17,
            Context = new byte[] { 1, 2, 3 },
            Timestamp = timestamp,
        });

        var received = await Wire.DecodeAsync(Wire.Encode([message]));

        received.ShouldHaveSingleItem().ShouldBeSameAs(message);
    }

    [Fact]
    public async Task a_message_from_a_sender_that_predates_timestamps_decodes_without_one()
    {
        var frame = Wire.Frame(RaftFrameType.Batch, Wire.Varint(3), Wire.EmptyMessage((byte)MessageType.ReadIndexResponse));

        var received = await Wire.DecodeAsync(frame);

        received.ShouldHaveSingleItem().Message.ShouldSatisfyAllConditions(
            m => m.Type.ShouldBe(MessageType.ReadIndexResponse),
            m => m.Timestamp.ShouldBe(0L));
    }

    [Fact]
    public void a_message_without_a_timestamp_is_no_longer_on_the_wire_than_before()
    {
        var message = new GroupMessage(3, new Message { Type = MessageType.ReadIndexResponse, From = 1, To = 2 });
        var frame = new ArrayBufferWriter<byte>();

        RaftMessageCodec.WriteBatchFrame([message], frame);

        frame.WrittenSpan[RaftMessageCodec.FrameHeaderBytes..].ToArray()
            .ShouldBe([.. Wire.Varint(3), (byte)MessageType.ReadIndexResponse, 0, 1, 2, 0, 0, 0, 0, 0, 0, 0]);
    }

    [Fact]
    public void a_batch_frame_is_as_long_as_the_messages_measure()
    {
        var random = new Random(RandomMessages.Seed(output, GetType()));
        var batch = Enumerable.Range(0, 40).Select(_ => RandomMessages.Next(random, MessageType.Append)).ToList();
        var frame = new ArrayBufferWriter<byte>();

        RaftMessageCodec.WriteBatchFrame(batch, frame);

        frame.WrittenCount.ShouldBe(RaftMessageCodec.FrameHeaderBytes + (int)batch.Sum(RaftMessageCodec.MeasureInBatch));
    }
}
